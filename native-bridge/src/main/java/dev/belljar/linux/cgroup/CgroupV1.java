package dev.belljar.linux.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.function.LongConsumer;

/**
 * A sandbox on cgroup v1: one directory per hierarchy, all with the same name. Co-mounted
 * controllers ({@code cpu,cpuacct}) map to the same directory.
 */
final class CgroupV1 implements Cgroup {

    /**
     * The controllers a sandbox uses; memory is required, the others are used where mounted. A
     * cpuset directory refuses processes (ENOSPC) until its cpuset.cpus and cpuset.mems are set:
     * {@link V1Host#create} copies the parent's.
     */
    static final List<String> CONTROLLERS = List.of("memory", "cpu", "cpuacct", "pids", "freezer", "blkio", "cpuset");

    /** The v1 files of the four {@link IoLimit} values, each {@code MAJ:MIN N} per line. */
    private static final String READ_BPS = "blkio.throttle.read_bps_device";
    private static final String WRITE_BPS = "blkio.throttle.write_bps_device";
    private static final String READ_IOPS = "blkio.throttle.read_iops_device";
    private static final String WRITE_IOPS = "blkio.throttle.write_iops_device";

    /** {@code cpuacct.stat} counts in USER_HZ, which the kernel ABI fixes at 100 on every architecture. */
    private static final long NANOS_PER_USER_HZ_TICK = 1_000_000_000L / 100;

    private final String name;
    private final Map<String, Path> dirs;
    private final ControlFiles files;
    private final Duration killTimeout;
    /** Whether blkio holds a throttle rule: read once after {@link #apply}, the only writer of rules, not at every stats. */
    private volatile Boolean throttleRules;

    /** @param dirs controller name to this sandbox's directory in that controller's hierarchy */
    CgroupV1(String name, Map<String, Path> dirs, ControlFiles files, Duration killTimeout) {
        this.name = name;
        this.dirs = Map.copyOf(dirs);
        this.files = files;
        this.killTimeout = killTimeout;
    }

    @Override
    public CgroupVersion version() {
        return CgroupVersion.V1;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Path> procsFiles() {
        return directories().stream().map(dir -> dir.resolve("cgroup.procs")).toList();
    }

    @Override
    public void apply(CgroupLimits limits) {
        limits.memoryBytes().ifPresent(bytes -> applyMemory(MemoryPages.roundUp(bytes), limits.effectiveSwapBytes()));
        limits.cpuQuotaMicros().ifPresent(quota -> {
            files.writeVerified(file("cpu", "cpu.cfs_period_us"),
                    Long.toString(limits.cpuPeriodMicros().orElse(CgroupLimits.DEFAULT_CPU_PERIOD_MICROS)));
            files.writeVerified(file("cpu", "cpu.cfs_quota_us"), Long.toString(quota));
        });
        limits.pidsMax().ifPresent(max -> files.writeVerified(file("pids", "pids.max"), Long.toString(max)));
        limits.memoryHighBytes().ifPresent(bytes -> {
            throw new CgroupException(V1Host.MEMORY_HIGH_UNSUPPORTED);
        });
        limits.cpuWeight().ifPresent(weight ->
                files.writeVerified(file("cpu", "cpu.shares"), Long.toString(CgroupLimits.cpuShares(weight))));
        limits.cpusetCpus().ifPresent(cpus -> files.writeVerified(file("cpuset", "cpuset.cpus"), cpus));
        for (IoLimit io : limits.ioLimits()) {
            writeIo(READ_BPS, io.device(), io.readBps());
            writeIo(WRITE_BPS, io.device(), io.writeBps());
            writeIo(READ_IOPS, io.device(), io.readIops());
            writeIo(WRITE_IOPS, io.device(), io.writeIops());
        }
        throttleRules = null;
    }

    private void writeIo(String name, String device, OptionalLong value) {
        if (value.isPresent()) {
            files.writeVerifiedLine(file("blkio", name), device + " " + value.getAsLong());
        }
    }

    /**
     * v1 bounds memory+swap together ({@code memsw}), and the kernel refuses any moment where the
     * memory limit exceeds the memsw limit: the write order depends on the current memsw limit.
     * Swap without a memory limit means nothing here and is not written.
     */
    private void applyMemory(long memoryBytes, OptionalLong swapBytes) {
        Path memory = file("memory", "memory.limit_in_bytes");
        Path memsw = file("memory", "memory.memsw.limit_in_bytes");
        if (!Files.exists(memsw)) {
            swapBytes.ifPresent(swap -> {
                if (swap > 0) {
                    throw new CgroupException("cannot limit swap to " + swap + " bytes: " + ControlFiles.where(memsw)
                            + " does not exist (swap accounting is off: boot with swapaccount=1)");
                }
            });
            files.writeVerified(memory, Long.toString(memoryBytes));
            return;
        }
        long memswBytes = memoryBytes + MemoryPages.roundUp(swapBytes.orElse(0));
        if (memoryBytes <= files.readLimit(memsw).orElse(Long.MAX_VALUE)) {
            files.writeVerified(memory, Long.toString(memoryBytes));
            files.writeVerified(memsw, Long.toString(memswBytes));
        } else {
            files.writeVerified(memsw, Long.toString(memswBytes));
            files.writeVerified(memory, Long.toString(memoryBytes));
        }
    }

    @Override
    public OomWatch watchOomKills(LongConsumer onKill) {
        Path oomControl = file("memory", "memory.oom_control");
        return OomWatch.onOomControl(name, oomControl.toString(), file("memory", "cgroup.event_control").toString(),
                files, () -> files.readKey(oomControl, "oom_kill"), onKill);
    }

    @Override
    public CgroupStats stats() {
        Path oomControl = file("memory", "memory.oom_control");
        Path cpuacctStat = file("cpuacct", "cpuacct.stat");
        Map<String, Long> ticks = files.readKeyed(cpuacctStat);
        Map<String, Long> cpu = files.readKeyed(file("cpu", "cpu.stat"));
        Optional<IoBytes> io = readIo();
        return new CgroupStats(
                files.readLong(file("memory", "memory.usage_in_bytes")),
                files.readLongIfExists(file("memory", "memory.max_usage_in_bytes")),
                files.readKey(oomControl, "oom_kill"),
                files.readLong(file("cpuacct", "cpuacct.usage")),
                files.requireKey(cpuacctStat, ticks, "user") * NANOS_PER_USER_HZ_TICK,
                files.requireKey(cpuacctStat, ticks, "system") * NANOS_PER_USER_HZ_TICK,
                cpu.getOrDefault("nr_periods", 0L),
                cpu.getOrDefault("nr_throttled", 0L),
                cpu.getOrDefault("throttled_time", 0L),
                files.readLong(file("pids", "pids.current")),
                files.readLongIfExists(file("pids", "pids.peak")),
                IoBytes.readOf(io),
                IoBytes.writtenOf(io),
                pressure("cpu.pressure"),
                pressure("memory.pressure"),
                pressure("io.pressure"));
    }

    @Override
    public boolean resetMemoryPeak() {
        try {
            files.write(file("memory", "memory.max_usage_in_bytes"), "0");
            return true;
        } catch (CgroupException e) {
            return false;  // the peak then spans the earlier tests, and the report says so
        }
    }

    @Override
    public CgroupUsage usage() {
        Path oomControl = file("memory", "memory.oom_control");
        return new CgroupUsage(files.readLong(file("memory", "memory.usage_in_bytes")),
                files.readLong(file("cpuacct", "cpuacct.usage")),
                files.readKey(oomControl, "oom_kill"),
                files.readKeyed(file("cpu", "cpu.stat")).getOrDefault("throttled_time", 0L));
    }

    /**
     * Mainline cgroup v1 has no per-cgroup pressure files: empty. Some vendor kernels add them to
     * the cpuacct hierarchy; there they are read.
     */
    private Optional<Pressure> pressure(String name) {
        return Optional.ofNullable(dirs.get("cpuacct")).flatMap(dir -> files.readPressure(dir.resolve(name)));
    }

    private boolean throttled(Path blkio) {
        Boolean known = throttleRules;
        if (known == null) {
            known = hasThrottleRule(blkio);
            throttleRules = known;
        }
        return known;
    }

    /** Whether any of the four {@code blkio.throttle.*_device} files of {@code blkio} holds a rule. */
    private boolean hasThrottleRule(Path blkio) {
        for (String rules : List.of(READ_BPS, WRITE_BPS, READ_IOPS, WRITE_IOPS)) {
            if (files.readIfExists(blkio.resolve(rules)).map(text -> !text.isBlank()).orElse(false)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sums the {@code Read} and {@code Write} lines of {@code blkio.throttle.io_service_bytes}
     * ({@code 8:0 Read 4096}); the closing {@code Total} line has no device and is skipped. The
     * throttle layer counts only I/O that passes one of its rules (as seen on Linux 6.x): without a
     * rule in this cgroup the figure would be a false zero, so it is absent, as it is without the
     * blkio hierarchy or the file.
     */
    private Optional<IoBytes> readIo() {
        return Optional.ofNullable(dirs.get("blkio")).filter(this::throttled).flatMap(dir -> {
            Path serviceBytes = dir.resolve("blkio.throttle.io_service_bytes");
            return files.readIfExists(serviceBytes).map(text -> {
                IoBytes sum = IoBytes.NONE;
                for (String line : text.split("\n")) {
                    String[] fields = ControlFiles.WHITESPACE.split(line.strip());
                    if (fields.length == 3 && fields[1].equals("Read")) {
                        sum = sum.plus(new IoBytes(ControlFiles.parseLong(serviceBytes, fields[2]), 0));
                    } else if (fields.length == 3 && fields[1].equals("Write")) {
                        sum = sum.plus(new IoBytes(0, ControlFiles.parseLong(serviceBytes, fields[2])));
                    }
                }
                return sum;
            });
        });
    }

    @Override
    public void freeze() {
        setFreezerState("FROZEN");
    }

    @Override
    public void thaw() {
        setFreezerState("THAWED");
    }

    /** The kernel passes FREEZING on the way to FROZEN: wait until it reads what was written. */
    private void setFreezerState(String wanted) {
        Path state = file("freezer", "freezer.state");
        files.write(state, wanted);
        if (!Poll.until(() -> files.read(state).equals(wanted), killTimeout)) {
            throw new CgroupException(ControlFiles.where(state) + " did not reach " + wanted + " within "
                    + killTimeout.toMillis() + " ms (reads " + files.read(state) + ")");
        }
    }

    @Override
    public List<Long> pids() {
        TreeSet<Long> pids = new TreeSet<>();
        for (Path dir : directories()) {
            CgroupDirectories.withDescendants(dir).forEach(each -> pids.addAll(files.readPids(each.resolve("cgroup.procs"))));
        }
        return new ArrayList<>(pids);
    }

    /**
     * Freezing first stops forks while the PIDs are killed; the frozen processes die on thaw. The
     * freeze only helps: a task the freezer cannot stop (one that CRIU is restoring, say) would
     * keep it FREEZING for good, so after a tenth of the kill timeout the PIDs are killed as they
     * are. The wait kills again whatever is still listed, which also covers a host without the
     * freezer.
     */
    @Override
    public void killAll() {
        Path freezer = dirs.get("freezer");
        if (freezer != null) {
            Path state = freezer.resolve("freezer.state");
            files.write(state, "FROZEN");
            try {
                Poll.until(() -> files.read(state).equals("FROZEN"), killTimeout.dividedBy(10));
                Sigkill.all(pids());
            } finally {
                files.write(state, "THAWED");
            }
        }
        boolean empty = Poll.until(() -> {
            List<Long> left = pids();
            Sigkill.all(left);
            return left.isEmpty();
        }, killTimeout);
        if (!empty) {
            throw new CgroupException("processes " + pids() + " still in cgroup " + name + " ("
                    + procsFiles() + ") " + killTimeout.toMillis() + " ms after SIGKILL");
        }
    }

    @Override
    public void destroy() {
        directories().forEach(CgroupDirectories::remove);
    }

    @Override
    public void close() {
        if (directories().stream().anyMatch(Files::isDirectory)) {
            // Nothing joins a cgroup without a process in it: an empty one needs no freeze and kill.
            if (!pids().isEmpty()) {
                killAll();
            }
            destroy();
        }
    }

    @Override
    public String toString() {
        return "cgroup v1 " + name + " " + directories();
    }

    /** One entry per hierarchy, in a stable order. */
    private List<Path> directories() {
        return List.copyOf(new TreeSet<>(dirs.values()));
    }

    private Path file(String controller, String name) {
        Path dir = dirs.get(controller);
        if (dir == null) {
            throw new CgroupException("cannot use " + name + " of cgroup " + this.name
                    + ": the " + controller + " controller is not mounted on this host");
        }
        return dir.resolve(name);
    }
}
