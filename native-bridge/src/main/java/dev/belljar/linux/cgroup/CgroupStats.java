package dev.belljar.linux.cgroup;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * Version-neutral accounting of one cgroup. Values the kernel does not offer on this host are
 * empty, never zero.
 *
 * @param memoryCurrentBytes  memory.current / memory.usage_in_bytes
 * @param memoryPeakBytes     memory.peak / memory.max_usage_in_bytes (empty on v2 kernels before 5.19)
 * @param oomKills            oom_kill in memory.events (v2) or memory.oom_control (v1)
 * @param cpuUsageNanos       total CPU time (cpu.stat usage_usec / cpuacct.usage)
 * @param cpuUserNanos        user CPU time (cpu.stat user_usec / cpuacct.stat user)
 * @param cpuSystemNanos      system CPU time (cpu.stat system_usec / cpuacct.stat system)
 * @param cpuPeriods          CFS periods elapsed (nr_periods)
 * @param cpuThrottledPeriods CFS periods throttled (nr_throttled)
 * @param cpuThrottledNanos   time throttled (throttled_usec / throttled_time)
 * @param pidsCurrent         pids.current
 * @param pidsPeak            pids.peak, which the pids controller offers on v1 and v2 alike in recent
 *                            kernels (seen on v1 with Linux 6.18, on v2 with 6.1); empty where the kernel lacks it
 * @param ioReadBytes         io.stat rbytes / blkio.throttle.io_service_bytes Read (empty when absent)
 * @param ioWriteBytes        io.stat wbytes / blkio.throttle.io_service_bytes Write (empty when absent)
 * @param cpuPressure         PSI of cpu.pressure (v2 with PSI enabled; empty elsewhere)
 * @param memoryPressure      PSI of memory.pressure (v2 with PSI enabled; empty elsewhere)
 * @param ioPressure          PSI of io.pressure (v2 with PSI enabled; empty elsewhere)
 */
public record CgroupStats(
        long memoryCurrentBytes,
        OptionalLong memoryPeakBytes,
        long oomKills,
        long cpuUsageNanos,
        long cpuUserNanos,
        long cpuSystemNanos,
        long cpuPeriods,
        long cpuThrottledPeriods,
        long cpuThrottledNanos,
        long pidsCurrent,
        OptionalLong pidsPeak,
        OptionalLong ioReadBytes,
        OptionalLong ioWriteBytes,
        Optional<Pressure> cpuPressure,
        Optional<Pressure> memoryPressure,
        Optional<Pressure> ioPressure) {

    /** The figures a timeline samples, as read with these: no second read of the control files. */
    public CgroupUsage usage() {
        return new CgroupUsage(memoryCurrentBytes, cpuUsageNanos, oomKills, cpuThrottledNanos);
    }

    /**
     * What happened since {@code earlier}, for one of several tests that share a cgroup: the
     * counters' increase (CPU time, periods, OOM kills, I/O, stall time); the levels (memory, pids)
     * and peaks as they are now.
     */
    public CgroupStats since(CgroupStats earlier) {
        return new CgroupStats(memoryCurrentBytes, memoryPeakBytes, oomKills - earlier.oomKills,
                cpuUsageNanos - earlier.cpuUsageNanos, cpuUserNanos - earlier.cpuUserNanos,
                cpuSystemNanos - earlier.cpuSystemNanos, cpuPeriods - earlier.cpuPeriods,
                cpuThrottledPeriods - earlier.cpuThrottledPeriods, cpuThrottledNanos - earlier.cpuThrottledNanos,
                pidsCurrent, pidsPeak, minus(ioReadBytes, earlier.ioReadBytes), minus(ioWriteBytes, earlier.ioWriteBytes),
                minus(cpuPressure, earlier.cpuPressure), minus(memoryPressure, earlier.memoryPressure),
                minus(ioPressure, earlier.ioPressure));
    }

    private static OptionalLong minus(OptionalLong now, OptionalLong earlier) {
        return now.isPresent() && earlier.isPresent() ? OptionalLong.of(now.getAsLong() - earlier.getAsLong()) : now;
    }

    private static Optional<Pressure> minus(Optional<Pressure> now, Optional<Pressure> earlier) {
        return now.map(pressure -> earlier.map(before -> new Pressure(pressure.someTotalMicros() - before.someTotalMicros(),
                minus(pressure.fullTotalMicros(), before.fullTotalMicros()))).orElse(pressure));
    }
}
