package dev.belljar.linux.cgroup;

import java.util.OptionalLong;

/**
 * The limits of one sandbox, in kernel units. An empty value means "no limit".
 *
 * @param memoryBytes   memory.max / memory.limit_in_bytes
 * @param swapBytes     swap on top of memory: memory.swap.max / memsw = memory + swap; 0 = no swap
 * @param cpuQuotaMicros CFS quota per period (cpu.max / cpu.cfs_quota_us)
 * @param cpuPeriodMicros CFS period (cpu.max / cpu.cfs_period_us), 100000 when only a quota is set
 * @param pidsMax       pids.max
 */
public record CgroupLimits(
        OptionalLong memoryBytes,
        OptionalLong swapBytes,
        OptionalLong cpuQuotaMicros,
        OptionalLong cpuPeriodMicros,
        OptionalLong pidsMax) {

    public static final long DEFAULT_CPU_PERIOD_MICROS = 100_000;

    public static CgroupLimits none() {
        return new CgroupLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty());
    }

    public CgroupLimits withMemoryBytes(long bytes) {
        return new CgroupLimits(OptionalLong.of(bytes), swapBytes, cpuQuotaMicros, cpuPeriodMicros, pidsMax);
    }

    public CgroupLimits withSwapBytes(long bytes) {
        return new CgroupLimits(memoryBytes, OptionalLong.of(bytes), cpuQuotaMicros, cpuPeriodMicros, pidsMax);
    }

    public CgroupLimits withCpuQuota(long quotaMicros, long periodMicros) {
        return new CgroupLimits(memoryBytes, swapBytes, OptionalLong.of(quotaMicros), OptionalLong.of(periodMicros), pidsMax);
    }

    public CgroupLimits withPidsMax(long max) {
        return new CgroupLimits(memoryBytes, swapBytes, cpuQuotaMicros, cpuPeriodMicros, OptionalLong.of(max));
    }

    /**
     * The swap the sandbox may use: as requested, else none when memory is limited, because a
     * memory limit with unlimited swap only moves the excess to swap and is not real.
     */
    public OptionalLong effectiveSwapBytes() {
        return swapBytes.isEmpty() && memoryBytes.isPresent() ? OptionalLong.of(0) : swapBytes;
    }
}
