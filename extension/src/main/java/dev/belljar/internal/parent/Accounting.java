package dev.belljar.internal.parent;

import dev.belljar.Outcome;
import dev.belljar.SandboxProcess;
import dev.belljar.SandboxResult;
import dev.belljar.linux.cgroup.CgroupStats;
import dev.belljar.linux.cgroup.Pressure;
import dev.belljar.spec.SandboxSpec;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** The one place where the kernel's accounting ({@link CgroupStats}) becomes what users see. */
public final class Accounting {
    private Accounting() {
    }

    /** A running sandbox's usage now. */
    public static SandboxProcess.Usage usage(CgroupStats stats) {
        return new SandboxProcess.Usage(stats.memoryCurrentBytes(), stats.memoryPeakBytes(), stats.cpuUsageNanos(),
                stats.cpuThrottledPeriods(), stats.cpuThrottledNanos(), stats.pidsCurrent());
    }

    /** The result of a finished child: its accounting beside the limits {@code spec} declared. */
    static SandboxResult result(SandboxSpec spec, ChildReport report, Outcome outcome, Optional<Throwable> failure,
                                Optional<Object> value) {
        CgroupStats stats = report.stats();
        CgroupStats baseline = report.baseline();
        return new SandboxResult(outcome,
                report.timedOut() ? OptionalInt.empty() : OptionalInt.of(report.exitStatus()),
                report.wallTimeNanos(),
                new SandboxResult.Memory(spec.memoryBytes(), stats.memoryPeakBytes(), stats.memoryCurrentBytes(),
                        baseline == null ? OptionalLong.empty() : OptionalLong.of(baseline.memoryCurrentBytes()),
                        stats.oomKills(), spec.memoryHighBytes(), report.peakIncludesEarlierTests()),
                new SandboxResult.Cpu(spec.cpuCores(), stats.cpuUsageNanos(), stats.cpuUserNanos(), stats.cpuSystemNanos(),
                        baseline == null ? OptionalLong.empty() : OptionalLong.of(baseline.cpuUsageNanos()),
                        stats.cpuPeriods(), stats.cpuThrottledPeriods(), stats.cpuThrottledNanos()),
                new SandboxResult.Pids(spec.pids(), stats.pidsCurrent(), stats.pidsPeak()),
                new SandboxResult.Io(stats.ioReadBytes(), stats.ioWriteBytes()),
                new SandboxResult.Pressure(stall(stats.cpuPressure()), stall(stats.memoryPressure()), stall(stats.ioPressure())),
                report.network(), failure, value);
    }

    private static Optional<SandboxResult.Stall> stall(Optional<Pressure> pressure) {
        return pressure.map(p -> new SandboxResult.Stall(p.someTotalMicros(), p.fullTotalMicros()));
    }
}
