package dev.belljar.internal.parent;

import dev.belljar.Net;
import dev.belljar.Reuse;
import dev.belljar.User;
import dev.belljar.internal.child.SetupStep;
import dev.belljar.linux.cgroup.CgroupException;
import dev.belljar.linux.cgroup.CgroupLimits;
import dev.belljar.linux.cgroup.IoLimit;
import dev.belljar.linux.ns.LaunchCommand;
import dev.belljar.spec.Expectation;
import dev.belljar.spec.IoThrottle;
import dev.belljar.spec.SandboxSpec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How one sandbox is launched, worked out once per test from its spec and before anything runs:
 * the cgroup's limits, the namespaces, the child's set-up steps and its JVM's flags and class
 * path. Building it has no side effects; what the host cannot do is noted, not thrown.
 *
 * <p>A non-root test JVM's sandbox ({@code rootless}) always gets a user namespace, so that it may
 * make the others, and a cgroup namespace with its own cgroupfs: its cgroup's files belong to the
 * test JVM's user, which the sandbox's root is outside, and the kernel refuses writes from inside a
 * cgroup namespace to the limits of its root. Its user is root inside ({@code user = ROOT}) or the
 * caller's own uid ({@code user = CALLER}).
 *
 * @param ioUnlimitable why an {@code io} limit cannot be applied (its path is on no block device)
 */
public record LaunchPlan(SandboxSpec spec, boolean rootless, CgroupLimits limits, Optional<String> ioUnlimitable,
                         List<SetupStep> steps, List<String> jvmFlags, String classPath,
                         Optional<ClassDataSharing> sharing) {

    static LaunchPlan of(SandboxSpec spec, boolean rootless, Optional<ClassDataSharing> sharing) {
        CgroupLimits limits = CgroupLimits.none();
        if (spec.memoryBytes().isPresent()) {
            limits = limits.withMemoryBytes(spec.memoryBytes().getAsLong()).withSwapBytes(spec.swapBytes().orElse(0));
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
        Optional<String> ioUnlimitable = Optional.empty();
        for (Map.Entry<String, IoThrottle> io : spec.io().entrySet()) {
            try {
                limits = limits.withIoLimit(ioLimit(IoLimit.forPath(Path.of(io.getKey())), io.getValue()));
            } catch (CgroupException e) {
                ioUnlimitable = Optional.of("io limits for " + io.getKey() + ": " + e.getMessage());
                break;
            }
        }
        String classPath = sharing.map(cds -> cds.classPath(ChildJvm.testClassPath())).orElseGet(ChildJvm::testClassPath);
        ChildJvm.requireReachable(spec, classPath);
        return new LaunchPlan(spec, rootless, limits, ioUnlimitable, SetupStep.plan(spec, rootless), ChildJvm.flags(spec),
                classPath, sharing);
    }

    private static IoLimit ioLimit(IoLimit device, IoThrottle throttle) {
        IoLimit limit = device;
        if (throttle.readBytesPerSecond() != null) limit = limit.withReadBps(throttle.readBytesPerSecond());
        if (throttle.writeBytesPerSecond() != null) limit = limit.withWriteBps(throttle.writeBytesPerSecond());
        if (throttle.readIops() != null) limit = limit.withReadIops(throttle.readIops());
        if (throttle.writeIops() != null) limit = limit.withWriteIops(throttle.writeIops());
        return limit;
    }

    /** The namespaces of the sandbox, entered by {@code unshare} before the child's JVM starts. */
    LaunchCommand namespaces(Path unshare) {
        return new LaunchCommand(unshare)
                .pidNamespace(spec.pidNamespace())
                .netNamespace(spec.net() != Net.HOST)
                .userNamespace(userMapping())
                .cgroupNamespace(spec.cgroupNamespace() || rootless)
                .timeNamespace(spec.uptime().map(Duration::getSeconds).orElse(0L));
    }

    private LaunchCommand.UserMapping userMapping() {
        if (spec.user() == User.ROOT) {
            return LaunchCommand.UserMapping.ROOT;
        }
        return rootless && spec.user() == User.CALLER ? LaunchCommand.UserMapping.CALLER : LaunchCommand.UserMapping.NONE;
    }

    /** The child runs one test after another, for the tests of a class ({@code reuse = CLASS}). */
    boolean serves() {
        return spec.reuse() == Reuse.CLASS;
    }

    /** The child runs as another user than the parent: the files it opens in its work dir must be open to it. */
    boolean childIsNobody() {
        return spec.user() == User.NOBODY;
    }

    /**
     * What makes two children interchangeable: the spec without what only the parent uses
     * (expectations, timeout). A child started ahead for one test can run another with the same key.
     */
    String childKey() {
        return spec.toBuilder().expect(Expectation.none()).timeout(Duration.ofDays(1)).build().toString();
    }

    /**
     * A template's flags: a child's, but where no memory limit sizes the heap, it starts at its
     * minimum instead of a 64th of the host's memory. Collected before its checkpoint, the
     * template then keeps only what lives in its image, not the warm-up's garbage (here 18 MB
     * instead of 23 MB, copied by every restore); its children grow their heap as their test needs.
     */
    List<String> templateJvmArgs(List<String> archiveFlags) {
        List<String> args = jvmArgs(archiveFlags);
        if (spec.memoryBytes().isEmpty()) {
            args.add(0, "-XX:InitialRAMPercentage=0");
        }
        return args;
    }

    /** The child JVM's flags: these, the archive's (if any) and the class path. */
    List<String> jvmArgs(List<String> archiveFlags) {
        List<String> args = new ArrayList<>(jvmFlags);
        args.addAll(archiveFlags);
        args.add("-cp");
        args.add(classPath);
        return args;
    }
}
