package dev.belljar.linux.cgroup;

/**
 * The few figures a sandbox is sampled for while it runs (for a chart), read from four control
 * files instead of the dozen of {@link CgroupStats}.
 *
 * @param memoryCurrentBytes memory.current / memory.usage_in_bytes
 * @param cpuUsageNanos      total CPU time (cpu.stat usage_usec / cpuacct.usage)
 * @param oomKills           oom_kill in memory.events (v2) or memory.oom_control (v1)
 * @param cpuThrottledNanos  time throttled by the CPU quota (cpu.stat throttled_usec / throttled_time;
 *                           0 where the cpu controller is not enabled, as nothing was throttled)
 */
public record CgroupUsage(long memoryCurrentBytes, long cpuUsageNanos, long oomKills, long cpuThrottledNanos) {
}
