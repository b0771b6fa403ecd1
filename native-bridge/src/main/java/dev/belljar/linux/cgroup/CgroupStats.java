package dev.belljar.linux.cgroup;

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
 * @param pidsPeak            pids.peak (v2, kernel 6.1+; empty elsewhere)
 * @param ioReadBytes         io.stat rbytes / blkio.throttle.io_service_bytes Read (empty when absent)
 * @param ioWriteBytes        io.stat wbytes / blkio.throttle.io_service_bytes Write (empty when absent)
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
        OptionalLong ioWriteBytes) {
}
