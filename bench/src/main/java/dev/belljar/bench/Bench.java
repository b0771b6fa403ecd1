package dev.belljar.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.belljar.linux.cgroup.Cgroup;
import dev.belljar.linux.cgroup.CgroupLimits;
import dev.belljar.linux.cgroup.CgroupManager;
import dev.belljar.linux.host.Host;
import dev.belljar.linux.ns.LaunchCommand;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Measures, side by side in one run, what an isolated test costs: twenty trivial tests plain and
 * isolated (sequential and parallel), against a bare {@code java Hello} start, and the sandbox
 * machinery alone. Prints medians and ratios; asserts nothing.
 */
public final class Bench {
    static final int TESTS = 20;
    static final int SMALL_TESTS = 5;
    private static final int HELLO_RUNS = 11;
    private static final OperatingSystemMXBean OWN_PROCESS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals(ONE_CLASS)) {
            // One JVM of the fork-per-class peer.
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(TrivialTests.PlainOnce.class)).build());
            return;
        }
        double hello = medianHelloSeconds();
        // Trains the start-up archive where this class path and JDK have none yet: a one-off cost, timed apart.
        Run first = run(TrivialTests.IsolatedOnce.class, false);
        Run plain = run(TrivialTests.Plain.class, false);
        Run isolated = run(TrivialTests.IsolatedTrivial.class, false);
        Run parallel = run(TrivialTests.IsolatedTrivial.class, true);
        // Without spares each test waits for its own child's start: what parallel execution adds shows alone.
        Run unaided = run(TrivialTests.IsolatedTrivial.class, false, false);
        Run unaidedParallel = run(TrivialTests.IsolatedTrivial.class, true, false);
        Run withSetup = run(TrivialTests.IsolatedWithSetup.class, false);
        Run shared = run(TrivialTests.IsolatedShared.class, false);
        Run noArchive = run(request(TrivialTests.IsolatedTrivial.class, false, true).configurationParameter("belljar.child.cds", "false"));
        Run small = run(TrivialTests.IsolatedIn32M.class, false);
        Run smallNoArchive = run(request(TrivialTests.IsolatedIn32M.class, false, true).configurationParameter("belljar.child.cds", "false"));
        double forkPerClass = forkPerClassSeconds();
        // Restored from warm templates where CRIU works here (as root); the runs above start fresh children.
        // The first run makes the template where no earlier run kept one; the second is what every later run gets.
        Run restoredFirst = run(restoring(TrivialTests.IsolatedTrivial.class));
        Run restored = run(restoring(TrivialTests.IsolatedTrivial.class));
        Run restoredSmall = run(restoring(TrivialTests.IsolatedIn32M.class));
        Run sharedRestoredFirst = run(restoring(TrivialTests.IsolatedShared.class));
        Run sharedRestored = run(restoring(TrivialTests.IsolatedShared.class));

        double extraPerTest = (isolated.wallSeconds - plain.wallSeconds) / TESTS;
        System.out.printf(Locale.ROOT, "%nJDK %s, children start from %s%n", Runtime.version(),
                Runtime.version().feature() >= 25 ? "an AOT cache" : "a dynamic CDS archive");
        System.out.printf(Locale.ROOT, "bare JVM start (java Hello, median of %d)   %8.3f s%n", HELLO_RUNS, hello);
        System.out.printf(Locale.ROOT, "first isolated test (trains the archive once) %6.3f s%n", first.wallSeconds);
        System.out.printf(Locale.ROOT, "%d plain tests                               %8.3f s%n", TESTS, plain.wallSeconds);
        System.out.printf(Locale.ROOT, "%d isolated tests, sequential                %8.3f s  (%d passed)%n", TESTS,
                isolated.wallSeconds, isolated.passed);
        System.out.printf(Locale.ROOT, "%d isolated tests, parallel on %d cores       %8.3f s  (%.2fx faster than sequential)%n",
                TESTS, Runtime.getRuntime().availableProcessors(), parallel.wallSeconds,
                isolated.wallSeconds / parallel.wallSeconds);
        System.out.printf(Locale.ROOT, "  the same without pre-started children: sequential %.3f s, parallel %.3f s (%.2fx faster)%n",
                unaided.wallSeconds, unaidedParallel.wallSeconds, unaided.wallSeconds / unaidedParallel.wallSeconds);
        System.out.printf(Locale.ROOT, "extra wall time per isolated test           %8.3f s  = %.1fx a bare JVM start (target <= 4x, stretch 2x)%n",
                extraPerTest, extraPerTest / hello);
        System.out.printf(Locale.ROOT, "  the same without a start-up archive       %8.3f s  = %.1fx (belljar.child.cds=false)%n",
                (noArchive.wallSeconds - plain.wallSeconds) / TESTS, (noArchive.wallSeconds - plain.wallSeconds) / TESTS / hello);
        double extraRestored = (restored.wallSeconds - plain.wallSeconds) / TESTS;
        System.out.printf(Locale.ROOT, "  the same restored from warm templates       %8.3f s  = %.2fx (%d passed, %d restored; target <= 2x;"
                        + " test JVM CPU %.3f s per test, target <= 0.020 s)%n", extraRestored, extraRestored / hello, restored.passed,
                restored.restoredChildren, (restored.ownCpuSeconds - plain.ownCpuSeconds) / TESTS);
        double extraRestoredFirst = (restoredFirst.wallSeconds - plain.wallSeconds) / TESTS;
        System.out.printf(Locale.ROOT, "    in the run before, which %s      %8.3f s  = %.2fx (%d restored)%n",
                restoredFirst.madeTemplate ? "made the template  " : "found the template ",
                extraRestoredFirst, extraRestoredFirst / hello, restoredFirst.restoredChildren);
        double extraForked = (forkPerClass - plain.wallSeconds) / TESTS;
        System.out.printf(Locale.ROOT, "  the peer: a JVM of its own per test class  %8.3f s  = %.2fx (what Surefire's forkCount=1,"
                + " reuseForks=false does per class: a JVM running JUnit's launcher, no sandbox)%n", extraForked, extraForked / hello);
        double extraShared = (shared.wallSeconds - plain.wallSeconds) / TESTS;
        System.out.printf(Locale.ROOT, "  the same sharing one child (reuse = CLASS)  %8.3f s  = %.2fx (%d passed; target <= 0.25x)%n",
                extraShared, extraShared / hello, shared.passed);
        double extraSharedRestored = (sharedRestored.wallSeconds - plain.wallSeconds) / TESTS;
        double extraSharedRestoredFirst = (sharedRestoredFirst.wallSeconds - plain.wallSeconds) / TESTS;
        System.out.printf(Locale.ROOT, "    its child restored from a warm template   %8.3f s  = %.2fx (%d passed; %.3f s = %.2fx in the run"
                        + " before, which %s the template)%n", extraSharedRestored, extraSharedRestored / hello, sharedRestored.passed,
                extraSharedRestoredFirst, extraSharedRestoredFirst / hello,
                sharedRestoredFirst.madeTemplate ? "made" : "found");
        double extraWithSetup = (withSetup.wallSeconds - plain.wallSeconds) / TESTS;
        System.out.printf(Locale.ROOT, "  the same with net = PRIVATE and a hostname  %8.3f s  = %.1fx (%d passed; setup in the child through JNA)%n",
                extraWithSetup, extraWithSetup / hello, withSetup.passed);
        System.out.printf(Locale.ROOT, "  its CPU per child (start-up, setup and warm-up) %6.3f s%n",
                median(withSetup.baselineCpuNanos) / 1e9);
        System.out.printf(Locale.ROOT, "sandbox machinery per test (median)         %8.1f ms (cgroup + limits + namespaces + teardown"
                + " around /bin/true, minus /bin/true alone; target <= 15 ms)%n", machineryMillis());
        System.out.printf(Locale.ROOT, "child JVM baseline memory (median)          %8.1f MiB%n", median(isolated.baselineBytes) / 1048576.0);
        System.out.printf(Locale.ROOT, "CPU per child (median: start-up and warm-up %.3f s, the test itself %.3f s); with %d cores"
                        + " that bounds a suite at %.3f s per isolated test%n",
                median(isolated.baselineCpuNanos) / 1e9, (median(isolated.cpuNanos) - median(isolated.baselineCpuNanos)) / 1e9,
                Runtime.getRuntime().availableProcessors(),
                median(isolated.cpuNanos) / 1e9 / Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "CPU of the test JVM itself per isolated test %7.3f s (parent side: sandboxes, channel, reports)%n",
                (isolated.ownCpuSeconds - plain.ownCpuSeconds) / TESTS);
        System.out.printf(Locale.ROOT, "trivial isolated tests under memory = 32M   %d of %d passed (baseline %.1f MiB)%n",
                small.passed, SMALL_TESTS, median(small.baselineBytes) / 1048576.0);
        System.out.printf(Locale.ROOT, "  the same without a start-up archive       %d of %d passed (baseline %.1f MiB, peak %.1f MiB)%n",
                smallNoArchive.passed, SMALL_TESTS, median(smallNoArchive.baselineBytes) / 1048576.0,
                median(smallNoArchive.peakBytes) / 1048576.0);
        System.out.printf(Locale.ROOT, "  the same restored from warm templates     %d of %d passed, %d restored (baseline %.1f MiB)%n",
                restoredSmall.passed, SMALL_TESTS, restoredSmall.restoredChildren,
                restoredSmall.baselineBytes.isEmpty() ? 0 : median(restoredSmall.baselineBytes) / 1048576.0);
    }

    private static final String ONE_CLASS = "--one-class";

    /** Twenty JVMs one after another, each running JUnit for one class of one trivial test. */
    private static double forkPerClassSeconds() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long start = System.nanoTime();
        for (int i = 0; i < TESTS; i++) {
            Process fork = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Bench.class.getName(), ONE_CLASS)
                    .inheritIO().start();
            if (fork.waitFor() != 0) {
                throw new IllegalStateException("a fork of the peer failed with exit status " + fork.exitValue());
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** What a sandbox adds to starting a process: the same native-bridge calls the extension makes. */
    private static double machineryMillis() throws Exception {
        Path unshare = Host.findExecutable("unshare").orElseThrow();
        List<Long> bare = new ArrayList<>();
        List<Long> sandboxed = new ArrayList<>();
        try (CgroupManager cgroups = CgroupManager.detect(Optional.empty())) {
            for (int i = 0; i < HELLO_RUNS; i++) {
                long start = System.nanoTime();
                new ProcessBuilder("/bin/true").start().waitFor();
                bare.add(System.nanoTime() - start);

                start = System.nanoTime();
                try (Cgroup cgroup = cgroups.create("belljar-bench-" + ProcessHandle.current().pid() + "-" + i)) {
                    cgroup.apply(CgroupLimits.none().withMemoryBytes(64L << 20).withSwapBytes(0).withPidsMax(64));
                    List<String> argv = new LaunchCommand(unshare).joinCgroup(cgroup.procsFiles()).netNamespace(true)
                            .build(List.of("/bin/true"));
                    new ProcessBuilder(argv).start().waitFor();
                }
                sandboxed.add(System.nanoTime() - start);
            }
        }
        return (median(sandboxed) - median(bare)) / 1e6;
    }

    private static double medianHelloSeconds() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Long> nanos = new ArrayList<>();
        for (int i = 0; i < HELLO_RUNS; i++) {
            long start = System.nanoTime();
            new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Hello.class.getName())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            nanos.add(System.nanoTime() - start);
        }
        return median(nanos) / 1e9;
    }

    private static Run run(Class<?> tests, boolean parallel) {
        return run(tests, parallel, true);
    }

    private static Run run(Class<?> tests, boolean parallel, boolean prestart) {
        return run(request(tests, parallel, prestart));
    }

    private static LauncherDiscoveryRequestBuilder request(Class<?> tests, boolean parallel, boolean prestart) {
        return LauncherDiscoveryRequestBuilder.request().selectors(selectClass(tests))
                .configurationParameter("junit.jupiter.execution.parallel.enabled", Boolean.toString(parallel))
                .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
                .configurationParameter("belljar.summary", "false")
                .configurationParameter("belljar.child.prestart", Boolean.toString(prestart))
                .configurationParameter("belljar.child.restore", "false");
    }

    /** Sequential, with spares, children restored from warm templates where CRIU works here. */
    private static LauncherDiscoveryRequestBuilder restoring(Class<?> tests) {
        return request(tests, false, true).configurationParameter("belljar.child.restore", "true");
    }

    private static Run run(LauncherDiscoveryRequestBuilder request) {
        Launcher launcher = LauncherFactory.create();
        Run run = new Run();
        long cpuStart = OWN_PROCESS.getProcessCpuTime();
        long start = System.nanoTime();
        launcher.execute(request.build(), run);
        run.wallSeconds = (System.nanoTime() - start) / 1e9;
        run.ownCpuSeconds = (OWN_PROCESS.getProcessCpuTime() - cpuStart) / 1e9;
        return run;
    }

    private static long median(List<Long> values) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    /** Collects the outcome and Belljar's report entries of each test. */
    private static final class Run implements TestExecutionListener {
        final List<Long> baselineBytes = Collections.synchronizedList(new ArrayList<>());
        final List<Long> peakBytes = Collections.synchronizedList(new ArrayList<>());
        final List<Long> cpuNanos = Collections.synchronizedList(new ArrayList<>());
        final List<Long> baselineCpuNanos = Collections.synchronizedList(new ArrayList<>());
        volatile int passed;
        volatile int restoredChildren;
        /** Whether this run made a template: no earlier run kept one. */
        volatile boolean madeTemplate;
        double wallSeconds;
        /** CPU of this JVM (the test JVM) during the run: the children are other processes. */
        double ownCpuSeconds;

        @Override
        public void reportingEntryPublished(TestIdentifier test, ReportEntry entry) {
            Map<String, String> values = entry.getKeyValuePairs();
            if (values.containsKey("belljar.memory.peakBytes")) {
                peakBytes.add(Long.parseLong(values.get("belljar.memory.peakBytes")));
            }
            if (values.containsKey("belljar.memory.baselineBytes")) {
                baselineBytes.add(Long.parseLong(values.get("belljar.memory.baselineBytes")));
            }
            if (values.containsKey("belljar.cpu.usageNanos") && values.containsKey("belljar.cpu.baselineNanos")) {
                cpuNanos.add(Long.parseLong(values.get("belljar.cpu.usageNanos")));
                baselineCpuNanos.add(Long.parseLong(values.get("belljar.cpu.baselineNanos")));
            }
            if (values.getOrDefault("belljar.sandboxes", "").matches(".*\\d+ templates? made.*")) {
                madeTemplate = true;
            }
            if (values.getOrDefault("belljar.child", "").contains("restored from a warm template")) {
                synchronized (this) {
                    restoredChildren++;
                }
            }
        }

        @Override
        public synchronized void executionFinished(TestIdentifier test, TestExecutionResult result) {
            if (test.isTest() && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                passed++;
            }
        }
    }
}
