package dev.belljar.linux.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongConsumer;

/** A sandbox on the unified hierarchy: one directory holds every controller. */
final class CgroupV2 implements Cgroup {

    private final String name;
    private final Path dir;
    private final ControlFiles files;
    private final Duration killTimeout;

    CgroupV2(String name, Path dir, ControlFiles files, Duration killTimeout) {
        this.name = name;
        this.dir = dir;
        this.files = files;
        this.killTimeout = killTimeout;
    }

    @Override
    public CgroupVersion version() {
        return CgroupVersion.V2;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Path> procsFiles() {
        return List.of(file("cgroup.procs"));
    }

    /**
     * Without a swap limit the sandbox gets none ({@code memory.swap.max} 0): otherwise the memory
     * limit would only move pages to swap. Where the kernel lacks swap accounting the file is
     * missing and {@link CgroupManager#cannotEnforce} has already said so.
     */
    @Override
    public void apply(CgroupLimits limits) {
        limits.memoryBytes().ifPresent(bytes -> {
            files.writeVerified(file("memory.max"), Long.toString(MemoryPages.roundUp(bytes)));
            writeIfPresent("memory.oom.group", "1");
        });
        limits.effectiveSwapBytes().ifPresent(bytes -> {
            Path swapMax = file("memory.swap.max");
            if (bytes > 0 && !Files.exists(swapMax)) {
                throw new CgroupException("cannot limit swap to " + bytes + " bytes: " + ControlFiles.where(swapMax)
                        + " does not exist (no swap accounting in this kernel)");
            }
            writeIfPresent("memory.swap.max", Long.toString(MemoryPages.roundUp(bytes)));
        });
        limits.cpuQuotaMicros().ifPresent(quota -> files.writeVerified(file("cpu.max"),
                quota + " " + limits.cpuPeriodMicros().orElse(CgroupLimits.DEFAULT_CPU_PERIOD_MICROS)));
        limits.pidsMax().ifPresent(max -> files.writeVerified(file("pids.max"), Long.toString(max)));
        limits.memoryHighBytes().ifPresent(bytes ->
                files.writeVerified(file("memory.high"), Long.toString(MemoryPages.roundUp(bytes))));
        limits.cpuWeight().ifPresent(weight -> files.writeVerified(file("cpu.weight"), Long.toString(weight)));
        limits.cpusetCpus().ifPresent(this::applyCpuset);
        for (IoLimit io : limits.ioLimits()) {
            files.writeVerifiedLine(file("io.max"), io.device() + " rbps=" + max(io.readBps()) + " wbps="
                    + max(io.writeBps()) + " riops=" + max(io.readIops()) + " wiops=" + max(io.writeIops()));
        }
    }

    /**
     * v2 keeps any cpuset.cpus written but runs the sandbox on its intersection with the parent's
     * effective CPUs: the effective list must be the requested one too.
     */
    private void applyCpuset(String cpus) {
        files.writeVerified(file("cpuset.cpus"), cpus);
        files.readIfExists(file("cpuset.cpus.effective")).ifPresent(effective -> {
            if (!effective.equals(cpus)) {
                throw new CgroupException(ControlFiles.where(file("cpuset.cpus.effective")) + ": wrote cpuset.cpus "
                        + cpus + " but the kernel made " + effective + " effective: the parent cgroup does not"
                        + " offer all of those CPUs");
            }
        });
    }

    /** An io.max value: the number, or the unlimited word every key of io.max prints when unset. */
    private static String max(OptionalLong value) {
        return value.isPresent() ? Long.toString(value.getAsLong()) : ControlFiles.UNLIMITED;
    }

    /**
     * {@code cpu.stat} always has the usage keys; the throttling keys appear only when the cpu
     * controller is enabled, and without it nothing was throttled: 0.
     */
    @Override
    public CgroupStats stats() {
        Map<String, Long> cpu = files.readKeyed(file("cpu.stat"));
        Path cpuStat = file("cpu.stat");
        Path events = file("memory.events");
        Optional<IoBytes> io = readIo();
        return new CgroupStats(
                files.readLong(file("memory.current")),
                files.readLongIfExists(file("memory.peak")),
                files.readKey(events, "oom_kill"),
                micros(files.requireKey(cpuStat, cpu, "usage_usec")),
                micros(files.requireKey(cpuStat, cpu, "user_usec")),
                micros(files.requireKey(cpuStat, cpu, "system_usec")),
                cpu.getOrDefault("nr_periods", 0L),
                cpu.getOrDefault("nr_throttled", 0L),
                micros(cpu.getOrDefault("throttled_usec", 0L)),
                files.readLong(file("pids.current")),
                files.readLongIfExists(file("pids.peak")),
                IoBytes.readOf(io),
                IoBytes.writtenOf(io),
                files.readPressure(file("cpu.pressure")),
                files.readPressure(file("memory.pressure")),
                files.readPressure(file("io.pressure")));
    }

    @Override
    public boolean resetMemoryPeak() {
        return false;
    }

    @Override
    public CgroupUsage usage() {
        Path cpuStat = file("cpu.stat");
        Map<String, Long> cpu = files.readKeyed(cpuStat);
        return new CgroupUsage(files.readLong(file("memory.current")),
                micros(files.requireKey(cpuStat, cpu, "usage_usec")),
                files.readKey(file("memory.events"), "oom_kill"),
                micros(cpu.getOrDefault("throttled_usec", 0L)));
    }

    @Override
    public OomWatch watchOomKills(LongConsumer onKill) {
        Path events = file("memory.events");
        return OomWatch.onMemoryEvents(name, events.toString(),
                () -> files.readKey(events, "oom_kill"), onKill);
    }

    @Override
    public void freeze() {
        setFrozen(true);
    }

    @Override
    public void thaw() {
        setFrozen(false);
    }

    private void setFrozen(boolean frozen) {
        Path freeze = file("cgroup.freeze");
        if (!Files.exists(freeze)) {
            throw new CgroupException("cannot " + (frozen ? "freeze" : "thaw") + " " + dir + ": "
                    + ControlFiles.where(freeze) + " does not exist (the cgroup v2 freezer needs Linux 5.2+)");
        }
        files.writeVerified(freeze, frozen ? "1" : "0");
        if (!Poll.until(() -> event("frozen") == (frozen ? 1 : 0), killTimeout)) {
            throw new CgroupException(ControlFiles.where(file("cgroup.events")) + " did not report frozen "
                    + (frozen ? 1 : 0) + " within " + killTimeout.toMillis() + " ms");
        }
    }

    @Override
    public List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        CgroupDirectories.withDescendants(dir).forEach(each -> pids.addAll(files.readPids(each.resolve("cgroup.procs"))));
        return pids;
    }

    /**
     * {@code cgroup.kill} (Linux 5.14+) kills the whole subtree atomically, forks included. Older
     * kernels: freeze so that nothing forks while the PIDs are killed one by one.
     */
    @Override
    public void killAll() {
        if (Files.exists(file("cgroup.kill"))) {
            files.write(file("cgroup.kill"), "1");
        } else {
            files.write(file("cgroup.freeze"), "1");
            try {
                if (!Poll.until(() -> event("frozen") == 1, killTimeout)) {
                    throw new CgroupException(dir + " did not freeze within " + killTimeout.toMillis() + " ms");
                }
                Sigkill.all(pids());
            } finally {
                files.write(file("cgroup.freeze"), "0");
            }
        }
        if (!Poll.until(() -> event("populated") == 0, killTimeout)) {
            throw new CgroupException("processes " + pids() + " still in " + dir + " "
                    + killTimeout.toMillis() + " ms after SIGKILL");
        }
    }

    @Override
    public void destroy() {
        CgroupDirectories.remove(dir);
    }

    @Override
    public void close() {
        if (Files.isDirectory(dir)) {
            killAll();
            destroy();
        }
    }

    @Override
    public String toString() {
        return "cgroup v2 " + dir;
    }

    private long event(String key) {
        Path events = file("cgroup.events");
        return files.readKey(events, key);
    }

    /**
     * Sums over the device lines of {@code io.stat} ({@code 8:0 rbytes=4096 wbytes=0 rios=1 ...});
     * empty when the io controller is not enabled here.
     */
    private Optional<IoBytes> readIo() {
        Path ioStat = file("io.stat");
        return files.readIfExists(ioStat).map(text -> {
            IoBytes sum = IoBytes.NONE;
            for (String field : ControlFiles.WHITESPACE.split(text)) {
                if (field.startsWith("rbytes=")) {
                    sum = sum.plus(new IoBytes(ControlFiles.parseLong(ioStat, field.substring("rbytes=".length())), 0));
                } else if (field.startsWith("wbytes=")) {
                    sum = sum.plus(new IoBytes(0, ControlFiles.parseLong(ioStat, field.substring("wbytes=".length()))));
                }
            }
            return sum;
        });
    }

    private void writeIfPresent(String name, String value) {
        Path file = file(name);
        if (Files.exists(file)) {
            files.writeVerified(file, value);
        }
    }

    private Path file(String name) {
        return dir.resolve(name);
    }

    private static long micros(long micros) {
        return micros * 1_000;
    }
}
