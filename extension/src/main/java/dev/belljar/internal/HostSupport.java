package dev.belljar.internal;

import dev.belljar.linux.cgroup.Cgroup;
import dev.belljar.linux.cgroup.CgroupException;
import dev.belljar.linux.cgroup.CgroupLimits;
import dev.belljar.linux.cgroup.CgroupManager;
import dev.belljar.linux.cgroup.IoLimit;
import dev.belljar.spec.IoThrottle;
import dev.belljar.linux.host.Host;
import dev.belljar.spec.SandboxSpec;

import java.nio.file.Path;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What this host offers to sandboxes, probed once per test run, and the factory of their cgroups.
 * Lives in the root {@code ExtensionContext.Store}: closing it undoes what the probe set up.
 */
final class HostSupport implements AutoCloseable {
    private static final AtomicLong SANDBOX_COUNTER = new AtomicLong();

    private final Path unshare;
    private final CgroupManager cgroups;
    private final String unavailable;
    private final Optional<ClassDataSharing> classDataSharing;
    /**
     * How many children wait ready per sandbox spec: one per core, so that their start-ups run
     * side by side instead of one after the other behind each test.
     */
    static final int SPARES_PER_SPEC = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    /** Children started ahead for the next tests with the same sandbox, by {@link #spareKey}, oldest first. */
    private final Map<String, ConcurrentLinkedDeque<SandboxRun>> spares = new ConcurrentHashMap<>();
    private final Map<String, Integer> uses = new ConcurrentHashMap<>();
    private volatile boolean closed;
    /** CRIU, probed on the first checkpoint: {@code criu check} takes a while. */
    private volatile dev.belljar.linux.criu.Criu.Availability criu;
    /** Namespace kinds not every host offers, tried once on first use. */
    private final Map<String, Optional<String>> namespaceProbes = new ConcurrentHashMap<>();

    private HostSupport(Path unshare, CgroupManager cgroups, String unavailable,
                        Optional<ClassDataSharing> classDataSharing) {
        this.unshare = unshare;
        this.cgroups = cgroups;
        this.unavailable = unavailable;
        this.classDataSharing = classDataSharing;
    }

    static HostSupport probe(Optional<Path> cgroupParent, boolean classDataSharing) {
        Optional<Path> unshare = Host.findExecutable("unshare");
        if (unshare.isEmpty()) {
            return unavailable("util-linux 'unshare' is not on the PATH; install util-linux (apt-get install util-linux)");
        }
        if (Host.effectiveUid() != 0) {
            return unavailable("Belljar needs root to create namespaces and cgroups; this JVM runs as uid "
                    + Host.effectiveUid() + " (run the tests as root, e.g. in CI or a VM)");
        }
        try {
            return new HostSupport(unshare.get(), CgroupManager.detect(cgroupParent), null,
                    classDataSharing ? ClassDataSharing.forChildren(ChildJvm.commonFlags()) : Optional.empty());
        } catch (CgroupException e) {
            return unavailable("no usable cgroup hierarchy: " + e.getMessage());
        }
    }

    private static HostSupport unavailable(String reason) {
        return new HostSupport(null, null, reason, Optional.empty());
    }

    /** CRIU for checkpoints, or why this host has none usable. */
    dev.belljar.linux.criu.Criu.Availability criu() {
        if (criu == null) {
            synchronized (this) {
                if (criu == null) {
                    criu = unavailable != null ? new dev.belljar.linux.criu.Criu.Availability(null, unavailable)
                            : dev.belljar.linux.criu.Criu.probe();
                }
            }
        }
        return criu;
    }

    /** Why this host cannot run {@code spec} enforced, with the fix; empty when it can. */
    Optional<String> cannotEnforce(SandboxSpec spec) {
        if (unavailable != null) {
            return Optional.of(unavailable);
        }
        if (spec.user() == dev.belljar.User.ROOT) {
            Optional<String> reason = namespaceProbes.computeIfAbsent("user",
                    kind -> Host.cannotUnshare(unshare, List.of("--user", "--map-root-user")));
            if (reason.isPresent()) {
                return Optional.of("user = ROOT needs a user namespace: " + reason.get());
            }
        }
        if (spec.uptime().isPresent()) {
            Optional<String> reason = namespaceProbes.computeIfAbsent("time",
                    kind -> Host.cannotUnshare(unshare, List.of("--time", "--fork", "--boottime", "1")));
            if (reason.isPresent()) {
                return Optional.of("uptime needs a time namespace (Linux 5.6+, util-linux 2.36+): " + reason.get());
            }
        }
        for (String path : spec.io().keySet()) {
            Optional<String> reason = IoLimit.cannotLimit(Path.of(path));
            if (reason.isPresent()) {
                return Optional.of("io limits for " + path + ": " + reason.get());
            }
        }
        return cgroups.cannotEnforce(limitsOf(spec));
    }

    /** The archive children start from, when this class path allows one. */
    Optional<ClassDataSharing> classDataSharing() {
        return classDataSharing;
    }

    Path unshare() {
        return unshare;
    }

    /** A new cgroup with a name unique on this host: {@code belljar-<pid>-<n>}. */
    Cgroup createCgroup() {
        String name = "belljar-" + ProcessHandle.current().pid() + "-" + SANDBOX_COUNTER.incrementAndGet();
        return cgroups.create(name);
    }

    String describe() {
        return unavailable != null ? "unavailable: " + unavailable : cgroups.describe();
    }

    static CgroupLimits limitsOf(SandboxSpec spec) {
        CgroupLimits limits = CgroupLimits.none();
        if (spec.memoryBytes().isPresent()) {
            limits = limits.withMemoryBytes(spec.memoryBytes().getAsLong())
                    .withSwapBytes(spec.swapBytes().orElse(0));
        }
        if (spec.cpuCores().isPresent()) {
            long period = CgroupLimits.DEFAULT_CPU_PERIOD_MICROS;
            limits = limits.withCpuQuota(Math.round(spec.cpuCores().getAsDouble() * period), period);
        }
        if (spec.pids().isPresent()) {
            limits = limits.withPidsMax(spec.pids().getAsInt());
        }
        if (spec.memoryHighBytes().isPresent()) {
            limits = limits.withMemoryHighBytes(spec.memoryHighBytes().getAsLong());
        }
        if (spec.cpuWeight().isPresent()) {
            limits = limits.withCpuWeight(spec.cpuWeight().getAsInt());
        }
        if (spec.cpuset().isPresent()) {
            limits = limits.withCpusetCpus(spec.cpuset().get());
        }
        for (Map.Entry<String, IoThrottle> io : spec.io().entrySet()) {
            IoLimit limit = IoLimit.forPath(Path.of(io.getKey()));
            IoThrottle throttle = io.getValue();
            if (throttle.readBytesPerSecond() != null) limit = limit.withReadBps(throttle.readBytesPerSecond());
            if (throttle.writeBytesPerSecond() != null) limit = limit.withWriteBps(throttle.writeBytesPerSecond());
            if (throttle.readIops() != null) limit = limit.withReadIops(throttle.readIops());
            if (throttle.writeIops() != null) limit = limit.withWriteIops(throttle.writeIops());
            limits = limits.withIoLimit(limit);
        }
        return limits;
    }

    /**
     * Starts the child for {@code request}: a pre-started one when a test with the same sandbox
     * left one ready, else a fresh one. From the second test with a sandbox on (with
     * {@code prestart}), the next children are started ahead, {@link #SPARES_PER_SPEC} of them, so
     * that their JVM and JUnit start-up overlap this test and each other.
     */
    SandboxRun startChild(SandboxSpec spec, Messages.Request request, boolean prestart) throws InterruptedException {
        String key = spareKey(spec);
        Deque<SandboxRun> ready = spares.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
        SandboxRun run;
        while ((run = ready.pollFirst()) != null && !run.isWaiting()) {
            run.close();
        }
        if (run == null) {
            run = SandboxRun.start(this, spec, request);
        } else {
            run.submit(request);
        }
        if (prestart && uses.merge(key, 1, Integer::sum) >= 2) {
            while (ready.size() < SPARES_PER_SPEC && !closed) {
                try {
                    ready.addLast(SandboxRun.prestart(this, spec, true));
                } catch (RuntimeException e) {
                    // A spare only saves time; the next test starts its own child and reports what fails.
                    break;
                }
            }
            if (closed) {
                closeSpares();
            }
        }
        return run;
    }

    /** The sandbox a child is started for: the spec without what only the parent uses (expectations, timeout). */
    private static String spareKey(SandboxSpec spec) {
        return spec.toBuilder().expect(dev.belljar.spec.Expectation.none()).timeout(java.time.Duration.ofDays(1))
                .build().toString();
    }

    private void closeSpares() {
        for (Deque<SandboxRun> ready : spares.values()) {
            SandboxRun spare;
            while ((spare = ready.pollFirst()) != null) {
                spare.close();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        closeSpares();
        if (cgroups != null) {
            cgroups.close();
        }
    }
}
