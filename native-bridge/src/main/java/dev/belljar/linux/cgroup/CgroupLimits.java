package dev.belljar.linux.cgroup;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The limits of one sandbox, in kernel units. An empty value means "no limit".
 *
 * @param memoryBytes     memory.max / memory.limit_in_bytes
 * @param swapBytes       swap on top of memory: memory.swap.max / memsw = memory + swap; 0 = no swap
 * @param cpuQuotaMicros  CFS quota per period (cpu.max / cpu.cfs_quota_us)
 * @param cpuPeriodMicros CFS period (cpu.max / cpu.cfs_period_us), 100000 when only a quota is set
 * @param pidsMax         pids.max
 * @param memoryHighBytes memory.high: above it the kernel reclaims and throttles the sandbox, before
 *                        memory.max kills it. cgroup v2 only: v1 has no such file
 * @param cpuWeight       the sandbox's share of contended CPU relative to its siblings, 1..10000, 100
 *                        being the default: cpu.weight on v2; on v1 cpu.shares = weight * 1024 / 100
 *                        (integer division), so that weight 100 is v1's default of 1024 shares and
 *                        the ratio between two sandboxes stays the same (1 gives 10, 10000 gives 102400)
 * @param cpusetCpus      the CPUs the sandbox may run on, a kernel CPU list such as {@code 0} or
 *                        {@code 0-1,3} (cpuset.cpus); kept in the kernel's normal form
 * @param ioLimits        block device throttling, at most one entry per device
 */
public record CgroupLimits(
        OptionalLong memoryBytes,
        OptionalLong swapBytes,
        OptionalLong cpuQuotaMicros,
        OptionalLong cpuPeriodMicros,
        OptionalLong pidsMax,
        OptionalLong memoryHighBytes,
        OptionalLong cpuWeight,
        Optional<String> cpusetCpus,
        List<IoLimit> ioLimits) {

    public static final long DEFAULT_CPU_PERIOD_MICROS = 100_000;
    public static final long MIN_CPU_WEIGHT = 1;
    public static final long MAX_CPU_WEIGHT = 10_000;

    public CgroupLimits {
        Objects.requireNonNull(memoryHighBytes, "memoryHighBytes");
        Objects.requireNonNull(cpuWeight, "cpuWeight");
        Objects.requireNonNull(cpusetCpus, "cpusetCpus");
        ioLimits = List.copyOf(ioLimits);
        cpuWeight.ifPresent(weight -> {
            if (weight < MIN_CPU_WEIGHT || weight > MAX_CPU_WEIGHT) {
                throw new IllegalArgumentException("cpuWeight " + weight + " is out of range: cgroup cpu.weight takes "
                        + MIN_CPU_WEIGHT + ".." + MAX_CPU_WEIGHT + ", 100 being the default share");
            }
        });
        memoryHighBytes.ifPresent(bytes -> {
            if (bytes <= 0) {
                throw new IllegalArgumentException("memoryHighBytes " + bytes + " must be positive");
            }
        });
        cpusetCpus = cpusetCpus.map(CpuList::normalize);
        Set<String> devices = new HashSet<>();
        for (IoLimit io : ioLimits) {
            if (!devices.add(io.device())) {
                throw new IllegalArgumentException("two io limits for device " + io.device()
                        + ": give one IoLimit per device with all its values");
            }
        }
    }

    public static CgroupLimits none() {
        return new CgroupLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
                Optional.empty(), List.of());
    }

    public CgroupLimits withMemoryBytes(long bytes) {
        return new CgroupLimits(OptionalLong.of(bytes), swapBytes, cpuQuotaMicros, cpuPeriodMicros, pidsMax,
                memoryHighBytes, cpuWeight, cpusetCpus, ioLimits);
    }

    public CgroupLimits withSwapBytes(long bytes) {
        return new CgroupLimits(memoryBytes, OptionalLong.of(bytes), cpuQuotaMicros, cpuPeriodMicros, pidsMax,
                memoryHighBytes, cpuWeight, cpusetCpus, ioLimits);
    }

    public CgroupLimits withCpuQuota(long quotaMicros, long periodMicros) {
        return new CgroupLimits(memoryBytes, swapBytes, OptionalLong.of(quotaMicros), OptionalLong.of(periodMicros),
                pidsMax, memoryHighBytes, cpuWeight, cpusetCpus, ioLimits);
    }

    public CgroupLimits withPidsMax(long max) {
        return new CgroupLimits(memoryBytes, swapBytes, cpuQuotaMicros, cpuPeriodMicros, OptionalLong.of(max),
                memoryHighBytes, cpuWeight, cpusetCpus, ioLimits);
    }

    /** memory.high (cgroup v2 only; {@link CgroupManager#cannotEnforce} says so on v1). */
    public CgroupLimits withMemoryHighBytes(long bytes) {
        return new CgroupLimits(memoryBytes, swapBytes, cpuQuotaMicros, cpuPeriodMicros, pidsMax,
                OptionalLong.of(bytes), cpuWeight, cpusetCpus, ioLimits);
    }

    /** @param weight 1..10000, 100 is the default share */
    public CgroupLimits withCpuWeight(long weight) {
        return new CgroupLimits(memoryBytes, swapBytes, cpuQuotaMicros, cpuPeriodMicros, pidsMax,
                memoryHighBytes, OptionalLong.of(weight), cpusetCpus, ioLimits);
    }

    /**
     * @param cpus a kernel CPU list, e.g. {@code 0} or {@code 0-1,3}
     * @throws IllegalArgumentException when it is not one
     */
    public CgroupLimits withCpusetCpus(String cpus) {
        return new CgroupLimits(memoryBytes, swapBytes, cpuQuotaMicros, cpuPeriodMicros, pidsMax,
                memoryHighBytes, cpuWeight, Optional.of(cpus), ioLimits);
    }

    /** Adds the throttling of one device (replacing an earlier one for the same device). */
    public CgroupLimits withIoLimit(IoLimit limit) {
        List<IoLimit> io = new ArrayList<>(ioLimits);
        io.removeIf(existing -> existing.device().equals(limit.device()));
        io.add(limit);
        return new CgroupLimits(memoryBytes, swapBytes, cpuQuotaMicros, cpuPeriodMicros, pidsMax,
                memoryHighBytes, cpuWeight, cpusetCpus, io);
    }

    /**
     * The swap the sandbox may use: as requested, else none when memory is limited, because a
     * memory limit with unlimited swap only moves the excess to swap and is not real.
     */
    public OptionalLong effectiveSwapBytes() {
        return swapBytes.isEmpty() && memoryBytes.isPresent() ? OptionalLong.of(0) : swapBytes;
    }

    /** cpu.shares for {@link #cpuWeight()} on cgroup v1: weight * 1024 / 100. */
    static long cpuShares(long weight) {
        return weight * 1024 / 100;
    }
}
