package dev.belljar.internal.parent;

import dev.belljar.internal.channel.Messages;
import dev.belljar.internal.channel.WorkDir;
import dev.belljar.internal.child.ChildMain;
import dev.belljar.internal.child.SetupStep;
import dev.belljar.linux.cgroup.Cgroup;
import dev.belljar.linux.cgroup.CgroupException;
import dev.belljar.linux.cgroup.CgroupStats;
import dev.belljar.linux.cgroup.OomWatch;

import dev.belljar.linux.criu.CheckpointFailedException;
import dev.belljar.linux.criu.Criu;
import dev.belljar.linux.criu.TemplateTrial;
import dev.belljar.linux.ns.LaunchCommand;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One child JVM in one sandbox, from cgroup creation to removal. Whatever happens (failure,
 * timeout, interruption, the parent JVM shutting down) the sandbox's processes are killed and its
 * cgroup and work dir removed.
 */
public final class SandboxRun implements AutoCloseable {
    private static final Set<SandboxRun> LIVE = ConcurrentHashMap.newKeySet();
    /** How long a child may take to connect, or to connect again after a restore. */
    static final long CONNECT_TIMEOUT_MILLIS = TimeUnit.MINUTES.toMillis(3);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> List.copyOf(LIVE).forEach(SandboxRun::close),
                "belljar-sandbox-cleanup"));
    }

    private final Cgroup cgroup;
    private final WorkDir workDir;
    private final ChildEvents events;
    private HostPortRelays relays = new HostPortRelays(Map.of());
    private Process process;
    private ChildTransport transport;
    /** The samples of the test that runs now; a shared child's next test samples on the same thread. */
    private volatile Timeline timeline;
    /** For the whole life of the child, whichever of its tests runs. */
    private OomWatch oomWatch;
    private long startNanos;
    /** A shared child's accounting when its current test was sent; null for its first test. */
    private CgroupStats testStart;
    private boolean peakRestarted;
    private long stdoutFrom;
    private long stderrFrom;
    private boolean closed;
    private StartedAs startedAs = StartedAs.FRESH;
    private final SandboxCheckpoint checkpoint = new SandboxCheckpoint(this);

    private SandboxRun(Cgroup cgroup, WorkDir workDir) {
        this.cgroup = cgroup;
        this.workDir = workDir;
        this.events = new ChildEvents(cgroup::stats);
    }

    /** Starts the child of a new sandbox and sends it {@code request}; the caller owns the run and must close it. */
    static SandboxRun start(HostSupport host, LaunchPlan plan, Messages.Request request) throws InterruptedException {
        SandboxRun run = prestart(host, plan, false, request instanceof Messages.RunTask && dumpable(plan));
        run.submit(request, plan);
        return run;
    }

    /**
     * Starts the child of a new sandbox that waits for its request: its JVM start-up (and, with
     * {@code warmUp}, the JUnit launcher's) overlaps with whatever runs now.
     */
    static SandboxRun prestart(HostSupport host, LaunchPlan plan, boolean warmUp) throws InterruptedException {
        return prestart(host, plan, warmUp, false);
    }

    /**
     * Whether CRIU 4.1 could dump a child of {@code plan}: only files its init opens inside its
     * namespaces, which CRIU needs root for. Those files hold its mounts busy, though: a child that
     * makes them read-only keeps the files the parent opened, outside, and CRIU 4.1 refuses its dump.
     */
    private static boolean dumpable(LaunchPlan plan) {
        return !plan.rootless() && !SetupStep.makesMountsReadOnly(plan.steps());
    }

    private static SandboxRun prestart(HostSupport host, LaunchPlan plan, boolean warmUp, boolean dumpable)
            throws InterruptedException {
        SandboxRun run = inNewSandbox(host);
        Cgroup cgroup = run.cgroup;
        try {
            run.launch(host, plan, warmUp, dumpable);
            run.startedAs = warmUp ? StartedAs.SPARE : StartedAs.FRESH;
            return run;
        } catch (IOException e) {
            run.close();
            throw new UncheckedIOException("cannot start the child JVM of sandbox " + cgroup.name(), e);
        } catch (RuntimeException | InterruptedException e) {
            run.close();
            throw e;
        }
    }

    /** A run with a new cgroup and work dir, and no child yet. */
    private static SandboxRun inNewSandbox(HostSupport host) {
        Cgroup cgroup = host.cgroups().create();
        try {
            return new SandboxRun(cgroup, WorkDir.create(cgroup.name()));
        } catch (IOException | RuntimeException e) {
            cgroup.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** A template's image and what its tree had open, which a restore replaces: see {@link WarmTemplates}. */
    record TemplateImage(Path images, LaunchCommand.InitFiles files, String stdinPipe) {
    }

    /** A template could not be made, or a child not restored from one: the test gets a fresh child. */
    static final class RestoreFailedException extends Exception {
        RestoreFailedException(String message) {
            super(message);
        }
    }

    /**
     * Starts a template of {@code plan}'s child in a cgroup of its own without limits, its init
     * opening {@code files}; waits until it is warm and dumps it into {@code images}, whose parent
     * directory also holds its work dir. The template is gone when this returns.
     *
     * @return the template's stdin pipe ({@code pipe:[inode]}), which a restore replaces
     */
    static String makeTemplate(HostSupport host, LaunchPlan plan, Criu criu, Path images, LaunchCommand.InitFiles files)
            throws RestoreFailedException, InterruptedException {
        Cgroup cgroup = host.cgroups().create();
        Process template = null;
        WorkDir work = WorkDir.at(images.resolveSibling("template"));
        try {
            Files.createDirectories(images);
            Files.createDirectory(work.path());
            List<String> archiveFlags = plan.sharing().map(ClassDataSharing::jvmFlags).orElse(List.of());
            List<String> argv = plan.namespaces(host.probe().unshare())
                    .joinCgroup(cgroup.procsFiles())
                    .initFiles(files.stdout(), files.stderr(), files.exitStatus())
                    .build(ChildJvm.command(work.writeArgumentFile(plan.templateJvmArgs(archiveFlags)),
                            ChildMain.templateArguments(work, plan.serves(), plan.steps())));
            template = new ProcessBuilder(argv)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(files.stdout().toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(files.stderr().toFile()))
                    .start();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONNECT_TIMEOUT_MILLIS);
            while (!Files.exists(work.templateReady())) {
                if (!template.isAlive() || System.nanoTime() > deadline) {
                    throw new RestoreFailedException("the template's JVM " + (template.isAlive() ? "did not warm up within 3 min"
                            : "ended with exit status " + template.exitValue()) + ": " + Files.readString(files.stderr()).strip());
                }
                Thread.sleep(5);
            }
            long init = TemplateTrial.initOf(template.pid());
            String stdinPipe = Files.readSymbolicLink(Path.of("/proc", Long.toString(init), "fd", "0")).toString();
            criu.dumpTemplate(init, images);
            return stdinPipe;
        } catch (IOException | CheckpointFailedException e) {
            throw new RestoreFailedException(e.getMessage());
        } finally {
            cgroup.killAll();
            if (template != null) {
                template.destroyForcibly().waitFor();
            }
            cgroup.close();
        }
    }

    /**
     * Restores {@code image} into a new sandbox with {@code plan}'s limits and sends the child
     * {@code request}, or, where it is null, leaves the child waiting for one ({@link #submit});
     * returns once the child reached the parent, so that a failed restore is known before a test
     * begins. The caller owns the run and must close it.
     */
    static SandboxRun restore(HostSupport host, LaunchPlan plan, Criu criu, TemplateImage image, Messages.Request request)
            throws RestoreFailedException, InterruptedException {
        SandboxRun run = inNewSandbox(host);
        Cgroup cgroup = run.cgroup;
        try {
            run.restoreFrom(plan, criu, image);
            if (request != null) {
                run.submit(request, plan);
            }
            if (!run.transport.awaitAccepted(run.process, CONNECT_TIMEOUT_MILLIS)) {
                // CRIU's own output: what it printed before its log was open went to the child's stderr.
                String output = Files.readString(run.workDir.restoreLog()) + Files.readString(run.workDir.stderr());
                throw new RestoreFailedException((run.process.isAlive() ? "the restored child did not connect within 3 min: "
                        : "criu restore ended with exit status " + run.process.exitValue() + ": ")
                        + Criu.restoreErrorsOfPassingLog(run.workDir.path(), output));
            }
            return run;
        } catch (IOException e) {
            run.close();
            throw new RestoreFailedException("cannot restore a child of sandbox " + cgroup.name() + ": " + e.getMessage());
        } catch (RestoreFailedException | RuntimeException | InterruptedException e) {
            run.close();
            throw e;
        }
    }

    private void restoreFrom(LaunchPlan plan, Criu criu, TemplateImage image) throws IOException, InterruptedException {
        LIVE.add(this);
        cgroup.apply(plan.limits());
        if (plan.childIsNobody()) {
            workDir.handOverTo(SetupStep.NOBODY, SetupStep.NOBODY);
        }
        transport = ChildTransport.start(workDir, plan.childIsNobody(), events, "belljar-channel-" + cgroup.name());
        List<String> argv = LaunchCommand.inCgroup(cgroup.procsFiles(), criu.restoreTemplateCommand(image.images(),
                workDir.path(), image.stdinPipe(), image.files(),
                new LaunchCommand.InitFiles(workDir.stdout(), workDir.stderr(), workDir.exitStatus())));
        synchronized (this) {
            if (closed) {
                throw new InterruptedException("the JVM is shutting down");
            }
            process = new ProcessBuilder(argv)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.restoreLog().toFile()))
                    .redirectErrorStream(true)
                    .start();
        }
        checkpoint.restoredFromTemplate();
        startedAs = StartedAs.RESTORED;
        // The restored child's first line: its work dir. The pipe stays open: it is the child's lifeline.
        OutputStream lifeline = process.getOutputStream();
        lifeline.write((workDir.path() + "\n").getBytes(StandardCharsets.UTF_8));
        lifeline.flush();
    }

    /** How the child came to be, for the report. */
    public enum StartedAs {
        /** Started for its test. */
        FRESH,
        /** Started ahead, while an earlier test ran. */
        SPARE,
        /** Restored from a warm template. */
        RESTORED;

        public String describe() {
            return switch (this) {
                case FRESH -> "fresh";
                case SPARE -> "started ahead";
                case RESTORED -> "restored from a warm template";
            };
        }
    }

    public StartedAs startedAs() {
        return startedAs;
    }

    private void launch(HostSupport host, LaunchPlan plan, boolean warmUp, boolean dumpable)
            throws IOException, InterruptedException {
        LIVE.add(this);
        cgroup.apply(plan.limits());
        // Creates the archive on first use, outside any sandbox; a child without one starts all the same.
        List<String> archiveFlags = plan.sharing().map(ClassDataSharing::jvmFlags).orElse(List.of());
        LaunchCommand launch = plan.namespaces(host.probe().unshare()).joinCgroup(cgroup.procsFiles());
        if (dumpable) {
            launch.initFiles(workDir.stdout(), workDir.stderr(), workDir.exitStatus());
        }
        List<String> argv = launch.build(ChildJvm.command(workDir.writeArgumentFile(plan.jvmArgs(archiveFlags)),
                ChildMain.arguments(workDir, warmUp, plan.serves(), plan.steps())));
        if (plan.childIsNobody()) {
            workDir.handOverTo(SetupStep.NOBODY, SetupStep.NOBODY);
        }
        // Closed once the child is gone: that ends a transport still waiting for it.
        transport = ChildTransport.start(workDir, plan.childIsNobody(), events, "belljar-channel-" + cgroup.name());
        synchronized (this) {
            if (closed) {
                throw new InterruptedException("the JVM is shutting down");
            }
            // Appending, as the init does: what fails before it (joining the cgroup, unshare) lands there too.
            process = new ProcessBuilder(argv)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.stdout().toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(workDir.stderr().toFile()))
                    .start();
        }
    }

    /**
     * Whether the child still runs and waits: a pre-started child that died is of no use; a shared
     * child waits again once its test ended.
     */
    boolean isWaiting() {
        return process.isAlive() && (!transport.hasRequest() || events.testEnded());
    }

    /**
     * Sends the child its test or task; wall time, timeout and timeline count from here. Where host
     * ports are forwarded, their relays start once the child connected: it listens on them by then.
     *
     * @param plan the plan of the request, whose spec names the forwarded ports' targets and faults
     * @throws UncheckedIOException where a forwarded port's socket cannot be taken from the child;
     *                              the run is closed then
     */
    void submit(Messages.Request request, LaunchPlan plan) throws InterruptedException {
        startNanos = System.nanoTime();
        timeline = Timeline.start(cgroup, startNanos);
        oomWatch = watchOomKills();
        HostPortRelays forwarding = forwardPorts(plan);
        transport.submit(request);
        startRelays(forwarding);
    }

    /**
     * Sends a shared child ({@code reuse = CLASS}), whose previous test ended, its next test: its
     * accounting, peak, output and timeline start afresh from here. The accounting read now is
     * also the test's baseline, unless the child does more than wait before the test starts and
     * asks for one of its own.
     */
    void submitNext(Messages.RunTest request, LaunchPlan plan) throws InterruptedException {
        peakRestarted = cgroup.resetMemoryPeak();
        testStart = cgroup.stats();
        stdoutFrom = size(workDir.stdout());
        stderrFrom = size(workDir.stderr());
        events.startTest(testStart);
        startNanos = System.nanoTime();
        timeline.restart(startNanos, testStart.usage());
        HostPortRelays forwarding = forwardPorts(plan);
        transport.send(request);
        startRelays(forwarding);
    }

    private static long size(java.nio.file.Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + file, e);
        }
    }

    private HostPortRelays forwardPorts(LaunchPlan plan) {
        HostPortRelays forwarding = new HostPortRelays(plan.spec().hostPorts());
        synchronized (this) {
            relays = forwarding;
        }
        events.forwardThrough(forwarding);
        return forwarding;
    }

    private void startRelays(HostPortRelays forwarding) throws InterruptedException {
        if (!forwarding.isEmpty() && transport.awaitConnected(process, CONNECT_TIMEOUT_MILLIS)) {
            try {
                forwarding.start(cgroup.pids());
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
    }

    /** Marks each OOM kill on the timeline when the kernel reports it; without a watch the sampler still sees it. */
    private OomWatch watchOomKills() {
        try {
            return cgroup.watchOomKills(kills -> {
                try {
                    timeline.sampleNow();
                } catch (CgroupException e) {
                    // the sandbox is being removed
                }
            });
        } catch (RuntimeException e) {
            return null;
        }
    }

    private synchronized HostPortRelays relaysNow() {
        return relays;
    }

    Cgroup cgroup() {
        return cgroup;
    }

    WorkDir workDir() {
        return workDir;
    }

    Process process() {
        return process;
    }

    /** The process that now stands for the sandbox's tree: after a restore, CRIU's. */
    void replaceProcess(Process restored) {
        process = restored;
    }

    ChildTransport transport() {
        return transport;
    }

    SandboxCheckpoint checkpoint() {
        return checkpoint;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Waits until the child connected and received its request. */
    void awaitConnected() throws InterruptedException {
        if (!transport.awaitConnected(process, CONNECT_TIMEOUT_MILLIS)) {
            throw new IllegalStateException("the child of sandbox " + cgroup.name() + " did not connect");
        }
    }

    /** Runs the test or task, killing the sandbox at {@code timeout}, and collects what happened. */
    public ChildReport awaitReport(Duration timeout) throws InterruptedException {
        checkpoint.requireRestored();
        boolean timedOut = !process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        return childEnded(timedOut);
    }

    /**
     * Runs the test of a shared child, killing the sandbox at {@code timeout}, and collects what
     * happened; {@link #isWaiting()} then tells whether the child lives on for the next test.
     */
    ChildReport awaitTest(Duration timeout) throws InterruptedException {
        if (!events.awaitTestEnd(process, timeout.toNanos())) {
            return childEnded(!process.waitFor(0, TimeUnit.NANOSECONDS));
        }
        long wallTime = System.nanoTime() - startNanos;
        CgroupStats end = cgroup.stats();
        timeline.pause(end.usage());
        relaysNow().close();
        return events.report(0, false, wallTime, testStart, statsOfThisTest(end),
                peakIncludesEarlierTests(), timeline.encode(), output(workDir.stdout(), stdoutFrom),
                output(workDir.stderr(), stderrFrom));
    }

    private ChildReport childEnded(boolean timedOut) throws InterruptedException {
        if (timedOut) {
            cgroup.killAll();
            process.waitFor();
        }
        long wallTime = System.nanoTime() - startNanos;
        endSampling();
        transport.awaitEnd(TimeUnit.SECONDS.toMillis(5));
        return events.report(checkpoint.exitStatus(process), timedOut, wallTime, testStart, statsOfThisTest(cgroup.stats()),
                peakIncludesEarlierTests(), timeline.encode(), output(workDir.stdout(), stdoutFrom),
                output(workDir.stderr(), stderrFrom));
    }

    private void endSampling() {
        if (oomWatch != null) {
            oomWatch.close();
        }
        timeline.close();
        relaysNow().close();
    }

    /** The accounting of the test that ran last, read {@code now}: a shared child's since that test's start. */
    private CgroupStats statsOfThisTest(CgroupStats now) {
        return testStart == null ? now : now.since(testStart);
    }

    private boolean peakIncludesEarlierTests() {
        return testStart != null && !peakRestarted;
    }

    private byte[] output(java.nio.file.Path file, long from) {
        try {
            byte[] all = Files.readAllBytes(file);
            return Arrays.copyOfRange(all, (int) Math.min(from, all.length), all.length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot collect what the child of sandbox " + cgroup.name() + " left", e);
        }
    }

    /** Kills everything in the sandbox, removes its cgroup and work dir. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            if (process != null) {
                process.getOutputStream().close();
            }
        } catch (IOException ignored) {
            // the lifeline is closed either way
        }
        if (transport != null) {
            transport.close();
        }
        relaysNow().close();
        if (oomWatch != null) {
            oomWatch.close();
        }
        if (timeline != null) {
            timeline.close();
        }
        try {
            cgroup.close();
        } finally {
            workDir.close();
            LIVE.remove(this);
        }
    }
}
