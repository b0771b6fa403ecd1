package dev.belljar;

import dev.belljar.spec.Durations;
import dev.belljar.spec.Sizes;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What the kernel saw of one sandbox: how it ended and its accounting, each value with its unit
 * in its name. Values the host does not offer are empty, never zero.
 *
 * @param outcome       how the test or task ended
 * @param exitStatus    the child's exit status; 128 + signal number when it died by a signal
 * @param wallTimeNanos from the child's start to its end, as the parent measured it
 * @param network       what each forwarded host port ({@link Isolated#hostPorts()}) carried, by the port
 *                      inside; empty where none is forwarded
 * @param failure       what the test or task threw, rebuilt in the parent (same class where possible)
 * @param value         what a {@link Sandbox#call} task returned
 */
public record SandboxResult(
        Outcome outcome,
        OptionalInt exitStatus,
        long wallTimeNanos,
        Memory memory,
        Cpu cpu,
        Pids pids,
        Io io,
        Pressure pressure,
        Map<Integer, PortTraffic> network,
        Optional<Throwable> failure,
        Optional<Object> value) {

    /** The value a {@link Sandbox#call} task returned, as {@code type}; fails when there is none. */
    public <T> T value(Class<T> type) {
        return type.cast(value.orElseThrow(() -> new IllegalStateException("the sandbox returned no value: it ended "
                + outcome + failure.map(f -> " with " + f).orElse(""))));
    }

    /**
     * How it ended and its accounting in one line, as in Belljar's report:
     * {@code OOM_KILLED, memory 64 MiB peak of 64 MiB (JVM baseline 29.0 MiB), 1 OOM kill, CPU 570.9 ms, wall 1.77 s}.
     */
    public String summary() {
        StringBuilder s = new StringBuilder(outcome.name());
        s.append(", memory ").append(memory.peakBytes().isPresent()
                ? Sizes.describe(memory.peakBytes().getAsLong()) + " peak"
                        + (memory.peakIncludesEarlierTests() ? " of the shared child" : "") : "peak unknown");
        memory.limitBytes().ifPresent(limit -> s.append(" of ").append(Sizes.describe(limit)));
        memory.baselineBytes().ifPresent(baseline -> s.append(" (JVM baseline ").append(Sizes.describe(baseline)).append(')'));
        if (memory.oomKills() > 0) {
            s.append(", ").append(memory.oomKills()).append(" OOM kill").append(memory.oomKills() == 1 ? "" : "s");
        }
        s.append(", CPU ").append(Durations.describe(cpu.usageNanos()));
        cpu.limitCores().ifPresent(cores -> s.append(" at ").append(cores).append(" cores"));
        if (cpu.throttledPeriods() > 0) {
            s.append(" (throttled ").append(Durations.describe(cpu.throttledNanos())).append(" in ")
                    .append(cpu.throttledPeriods()).append(" periods)");
        }
        network.values().forEach(port -> s.append(", port ").append(port.sandboxPort()).append(": ")
                .append(port.connections()).append(port.connections() == 1 ? " connection (" : " connections (")
                .append(port.refused() > 0 ? port.refused() + " refused, " : "")
                .append(Sizes.describe(port.bytesUpstream())).append(" up, ")
                .append(Sizes.describe(port.bytesDownstream())).append(" down)"));
        s.append(", wall ").append(Durations.describe(wallTimeNanos));
        return s.toString();
    }

    /**
     * @param limitBytes    the memory limit, empty when none was declared
     * @param peakBytes     the sandbox's peak as the kernel recorded it (JVM start-up included)
     * @param currentBytes  usage when the child ended
     * @param baselineBytes usage when the test itself started (the JVM and launcher already loaded); empty if it never started
     * @param oomKills      processes the kernel's OOM killer killed in the sandbox
     * @param highBytes     memory.high, above which the kernel reclaims and slows the sandbox; empty when none was declared
     * @param peakIncludesEarlierTests the peak is that of a child shared by a class's tests
     *                      ({@link Reuse#CLASS}), earlier tests included: the kernel cannot restart it (cgroup v2)
     */
    public record Memory(OptionalLong limitBytes, OptionalLong peakBytes, long currentBytes,
                         OptionalLong baselineBytes, long oomKills, OptionalLong highBytes, boolean peakIncludesEarlierTests) {
    }

    /**
     * @param limitCores       the CPU quota in cores, empty when none was declared
     * @param usageNanos       CPU time of all processes of the sandbox
     * @param baselineNanos    CPU time used before the test itself started; empty if it never started
     * @param throttledPeriods CFS periods in which the sandbox was throttled
     * @param throttledNanos   time the sandbox spent throttled
     */
    public record Cpu(OptionalDouble limitCores, long usageNanos, long userNanos, long systemNanos,
                      OptionalLong baselineNanos, long periods, long throttledPeriods, long throttledNanos) {
    }

    /** @param peak empty where the kernel keeps no peak (cgroup v1, v2 before Linux 6.1) */
    public record Pids(OptionalInt limit, long current, OptionalLong peak) {
    }

    /** Bytes read and written on block devices; empty where the kernel does not account them. */
    public record Io(OptionalLong readBytes, OptionalLong writeBytes) {
    }

    /**
     * Pressure stall information: how long some (or all) of the sandbox's tasks waited for CPU,
     * memory or I/O. Empty where the kernel offers none (cgroup v1, kernels without PSI).
     */
    public record Pressure(Optional<Stall> cpu, Optional<Stall> memory, Optional<Stall> io) {
        public static final Pressure NONE = new Pressure(Optional.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * What the relay of one forwarded host port carried.
     *
     * @param connections     connections taken on (within the connection limit), reset ones included
     * @param refused         connections reset at once because the connection limit was reached
     * @param resets          connections the relay reset: by a {@code resetAfter} fault, or as the host
     *                        service refused them
     * @param bytesUpstream   bytes from the sandbox to the host service
     * @param bytesDownstream bytes from the host service to the sandbox
     */
    public record PortTraffic(int hostPort, int sandboxPort, long connections, long refused, long resets,
                              long bytesUpstream, long bytesDownstream) {
    }

    /** @param fullMicros empty where the kernel reports only "some" (CPU at the root, older kernels) */
    public record Stall(long someMicros, OptionalLong fullMicros) {
    }
}
