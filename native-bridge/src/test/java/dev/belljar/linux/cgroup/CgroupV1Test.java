package dev.belljar.linux.cgroup;

import static dev.belljar.linux.cgroup.FakeCgroupFs.file;
import static dev.belljar.linux.cgroup.FakeCgroupFs.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupV1Test {

    private static final String UNLIMITED = "9223372036854771712\n";

    @TempDir
    Path tmp;

    private Path memory;
    private Path cpu;
    private Path pids;
    private Path freezer;
    private Path blkio;
    private Path cpuset;

    /** cpu and cpuacct co-mounted, as on most systemd hosts. */
    @BeforeEach
    void fakeHierarchies() {
        memory = file(tmp.resolve("memory/belljar-1"), "memory.limit_in_bytes", UNLIMITED);
        file(memory, "memory.memsw.limit_in_bytes", UNLIMITED);
        cpu = file(tmp.resolve("cpu,cpuacct/belljar-1"), "cpu.cfs_period_us", "100000\n");
        file(cpu, "cpu.cfs_quota_us", "-1\n");
        pids = file(tmp.resolve("pids/belljar-1"), "pids.max", "max\n");
        freezer = file(tmp.resolve("freezer/belljar-1"), "freezer.state", "THAWED\n");
        blkio = tmp.resolve("blkio/belljar-1");
        for (String name : new String[] {"read_bps_device", "write_bps_device", "read_iops_device", "write_iops_device"}) {
            file(blkio, "blkio.throttle." + name, "");
        }
        file(cpu, "cpu.shares", "1024\n");
        cpuset = file(tmp.resolve("cpuset/belljar-1"), "cpuset.cpus", "0-1\n");
        file(cpuset, "cpuset.mems", "0\n");
        for (Path dir : new Path[] {memory, cpu, pids, freezer, blkio, cpuset}) {
            file(dir, "cgroup.procs", "");
        }
    }

    private CgroupV1 cgroup(CgroupFs fs) {
        Map<String, Path> dirs = new LinkedHashMap<>();
        dirs.put("memory", memory);
        dirs.put("cpu", cpu);
        dirs.put("cpuacct", cpu);
        dirs.put("pids", pids);
        dirs.put("freezer", freezer);
        dirs.put("blkio", blkio);
        dirs.put("cpuset", cpuset);
        return new CgroupV1("belljar-1", dirs, new ControlFiles(fs), Duration.ofMillis(200));
    }

    @Test
    void theMemoryPeakRestartsForTheNextTestOfASharedChild() throws IOException {
        file(memory, "memory.max_usage_in_bytes", "100663296\n");

        assertThat(cgroup(CgroupFs.REAL).resetMemoryPeak()).isTrue();
        assertThat(Files.readString(memory.resolve("memory.max_usage_in_bytes"))).isEqualTo("0");
    }

    @Test
    void procsFilesHaveOneEntryPerHierarchy() {
        assertThat(cgroup(CgroupFs.REAL).procsFiles()).containsExactlyInAnyOrder(memory.resolve("cgroup.procs"),
                cpu.resolve("cgroup.procs"), pids.resolve("cgroup.procs"), freezer.resolve("cgroup.procs"),
                blkio.resolve("cgroup.procs"), cpuset.resolve("cgroup.procs"));
    }

    @Test
    void statsParsesTheKernelFormats() {
        file(memory, "memory.usage_in_bytes", "15241216\n");
        file(memory, "memory.max_usage_in_bytes", "16777216\n");
        file(memory, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
        file(cpu, "cpuacct.usage", "2519418327\n");
        file(cpu, "cpuacct.stat", "user 198\nsystem 47\n");
        file(cpu, "cpu.stat", "nr_periods 54\nnr_throttled 21\nthrottled_time 1503283760\nnr_bursts 0\nburst_time 0\n");
        file(pids, "pids.current", "3\n");
        file(blkio, "blkio.throttle.write_bps_device", "8:0 1048576\n");
        file(blkio, "blkio.throttle.io_service_bytes", """
                8:0 Read 4096
                8:0 Write 1048576
                8:0 Sync 1052672
                8:0 Async 0
                8:0 Discard 0
                8:0 Total 1052672
                8:16 Read 8192
                8:16 Write 0
                8:16 Sync 0
                8:16 Async 8192
                8:16 Discard 0
                8:16 Total 8192
                Total 1060864
                """);

        CgroupStats stats = cgroup(CgroupFs.REAL).stats();

        assertThat(stats).isEqualTo(new CgroupStats(15241216, OptionalLong.of(16777216), 1,
                2519418327L, 1_980_000_000L, 470_000_000L, 54, 21, 1503283760L,
                3, OptionalLong.empty(), OptionalLong.of(4096 + 8192), OptionalLong.of(1048576),
                Optional.empty(), Optional.empty(), Optional.empty()));
        assertThat(cgroup(CgroupFs.REAL).usage()).as("the light sample agrees with the full stats")
                .isEqualTo(new CgroupUsage(stats.memoryCurrentBytes(), stats.cpuUsageNanos(), stats.oomKills(),
                        stats.cpuThrottledNanos()))
                .isEqualTo(new CgroupUsage(15241216, 2519418327L, 1, 1503283760L));
    }

    @Test
    void ioIsEmptyWithoutBlkioAccounting() {
        file(memory, "memory.usage_in_bytes", "0\n");
        file(memory, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
        file(cpu, "cpuacct.usage", "0\n");
        file(cpu, "cpuacct.stat", "user 0\nsystem 0\n");
        file(cpu, "cpu.stat", "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n");
        file(pids, "pids.current", "0\n");

        CgroupStats stats = cgroup(CgroupFs.REAL).stats();

        assertThat(stats.ioReadBytes()).isEmpty();
        assertThat(stats.ioWriteBytes()).isEmpty();
        assertThat(stats.memoryPeakBytes()).isEmpty();
    }

    @Test
    void ioIsAbsentWithoutAThrottleRuleNotZero() {
        file(memory, "memory.usage_in_bytes", "0\n");
        file(memory, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
        file(cpu, "cpuacct.usage", "0\n");
        file(cpu, "cpuacct.stat", "user 0\nsystem 0\n");
        file(cpu, "cpu.stat", "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n");
        file(pids, "pids.current", "0\n");
        file(blkio, "blkio.throttle.write_bps_device", "");
        file(blkio, "blkio.throttle.io_service_bytes", "Total 0\n");

        CgroupStats stats = cgroup(CgroupFs.REAL).stats();

        assertThat(stats.ioReadBytes()).isEmpty();
        assertThat(stats.ioWriteBytes()).isEmpty();
    }

    @Test
    void aMissingRequiredFileIsNamed() {
        assertThatThrownBy(() -> cgroup(CgroupFs.REAL).stats())
                .isInstanceOf(CgroupException.class)
                .hasMessageContaining("cpuacct.stat in " + cpu);
    }

    @Test
    void applyWritesMemorySwapCpuAndPids() {
        cgroup(CgroupFs.REAL).apply(CgroupLimits.none().withMemoryBytes(64 << 20).withSwapBytes(100)
                .withCpuQuota(50_000, 200_000).withPidsMax(32));

        assertThat(read(memory.resolve("memory.limit_in_bytes"))).isEqualTo("67108864");
        assertThat(read(memory.resolve("memory.memsw.limit_in_bytes"))).isEqualTo(Long.toString((64 << 20) + 4096));
        assertThat(read(cpu.resolve("cpu.cfs_period_us"))).isEqualTo("200000");
        assertThat(read(cpu.resolve("cpu.cfs_quota_us"))).isEqualTo("50000");
        assertThat(read(pids.resolve("pids.max"))).isEqualTo("32");
    }

    @Test
    void memoryAloneMeansNoSwap() {
        cgroup(CgroupFs.REAL).apply(CgroupLimits.none().withMemoryBytes(16 << 20));

        assertThat(read(memory.resolve("memory.memsw.limit_in_bytes"))).isEqualTo(Long.toString(16 << 20));
    }

    @Test
    void raisingMemoryAboveTheCurrentMemswWritesMemswFirst() {
        CgroupFs kernel = new CgroupFs() {
            @Override
            public String read(Path file) throws IOException {
                return CgroupFs.REAL.read(file);
            }

            /** Like the kernel: EINVAL when memory.limit_in_bytes would exceed memsw. */
            @Override
            public void write(Path file, String value) throws IOException {
                if (file.getFileName().toString().equals("memory.limit_in_bytes")
                        && Long.parseLong(value) > Long.parseLong(read(memory.resolve("memory.memsw.limit_in_bytes")).strip())) {
                    throw new FileSystemException(file.toString(), null, "Invalid argument");
                }
                CgroupFs.REAL.write(file, value);
            }
        };
        file(memory, "memory.limit_in_bytes", "8192\n");
        file(memory, "memory.memsw.limit_in_bytes", "8192\n");

        cgroup(kernel).apply(CgroupLimits.none().withMemoryBytes(1 << 20));

        assertThat(read(memory.resolve("memory.limit_in_bytes"))).isEqualTo(Long.toString(1 << 20));
    }

    @Test
    void aSwapLimitWithoutSwapAccountingIsRefused() throws Exception {
        Files.delete(memory.resolve("memory.memsw.limit_in_bytes"));

        assertThatThrownBy(() -> cgroup(CgroupFs.REAL).apply(CgroupLimits.none().withMemoryBytes(1 << 20).withSwapBytes(1 << 20)))
                .hasMessageContaining("memory.memsw.limit_in_bytes in " + memory + " does not exist")
                .hasMessageContaining("swapaccount=1");
    }

    @Test
    void aValueTheKernelDidNotKeepIsReported() {
        assertThatThrownBy(() -> cgroup(FakeCgroupFs.keeping("cpu.cfs_quota_us", "-1"))
                .apply(CgroupLimits.none().withCpuQuota(50_000, 100_000)))
                .hasMessage("cpu.cfs_quota_us in " + cpu + ": wrote 50000 but the kernel kept -1");
    }

    @Test
    void pidsAreTheUnionOfEveryHierarchy() {
        file(memory, "cgroup.procs", "12\n30\n");
        file(pids, "cgroup.procs", "30\n41\n");

        assertThat(cgroup(CgroupFs.REAL).pids()).containsExactly(12L, 30L, 41L);
    }

    @Test
    void killAllFreezesAndThaws() {
        cgroup(CgroupFs.REAL).killAll();

        assertThat(read(freezer.resolve("freezer.state"))).isEqualTo("THAWED");
    }

    @Test
    void processesAreKilledEvenWhereTheFreezerDoesNotFreezeThem() throws Exception {
        // A process of this test stands for a task the freezer cannot stop; the fake cgroup keeps listing it.
        Process stuck = new ProcessBuilder("sleep", "60").start();
        try {
            file(memory, "cgroup.procs", stuck.pid() + "\n");

            assertThatThrownBy(() -> cgroup(FakeCgroupFs.keeping("freezer.state", "FREEZING")).killAll())
                    .hasMessageContaining("processes [" + stuck.pid() + "] still in cgroup");

            assertThat(stuck.waitFor(5, TimeUnit.SECONDS)).as("killed although never frozen").isTrue();
        } finally {
            stuck.destroyForcibly();
        }
    }

    @Test
    void applyWritesSharesCpusetAndBlkioThrottling() {
        cgroup(CgroupFs.REAL).apply(CgroupLimits.none().withCpuWeight(300).withCpusetCpus("1")
                .withIoLimit(IoLimit.of("7:3").withWriteBps(1 << 20).withReadIops(50)));

        assertThat(read(cpu.resolve("cpu.shares"))).isEqualTo("3072");
        assertThat(read(cpuset.resolve("cpuset.cpus"))).isEqualTo("1");
        assertThat(read(blkio.resolve("blkio.throttle.write_bps_device"))).isEqualTo("7:3 1048576");
        assertThat(read(blkio.resolve("blkio.throttle.read_iops_device"))).isEqualTo("7:3 50");
        assertThat(read(blkio.resolve("blkio.throttle.read_bps_device"))).as("unset: not written").isEmpty();
    }

    @Test
    void aThrottleTheKernelDidNotKeepIsReported() {
        assertThatThrownBy(() -> cgroup(FakeCgroupFs.keeping("blkio.throttle.write_bps_device", "7:3 4096\n"))
                .apply(CgroupLimits.none().withIoLimit(IoLimit.of("7:3").withWriteBps(1 << 20))))
                .isInstanceOf(CgroupException.class)
                .hasMessage("blkio.throttle.write_bps_device in " + blkio + ": wrote 7:3 1048576 but the kernel kept 7:3 4096");
        assertThatThrownBy(() -> cgroup(FakeCgroupFs.keeping("blkio.throttle.write_bps_device", ""))
                .apply(CgroupLimits.none().withIoLimit(IoLimit.of("7:3").withWriteBps(1 << 20))))
                .hasMessageEndingWith("wrote 7:3 1048576 but the kernel kept no line for 7:3");
        assertThatThrownBy(() -> cgroup(FakeCgroupFs.keeping("cpu.shares", "2"))
                .apply(CgroupLimits.none().withCpuWeight(100)))
                .hasMessage("cpu.shares in " + cpu + ": wrote 1024 but the kernel kept 2");
    }

    @Test
    void memoryHighIsRefusedOnV1() {
        assertThatThrownBy(() -> cgroup(CgroupFs.REAL).apply(CgroupLimits.none().withMemoryHighBytes(1 << 20)))
                .isInstanceOf(CgroupException.class)
                .hasMessage("memoryHigh is not supported on cgroup v1 (memory.high exists only in cgroup v2):"
                        + " remove it or run on a cgroup v2 host");
    }

    @Test
    void freezeAndThawWaitForTheState() {
        CgroupV1 cgroup = cgroup(CgroupFs.REAL);

        cgroup.freeze();
        assertThat(read(freezer.resolve("freezer.state"))).isEqualTo("FROZEN");
        cgroup.thaw();
        assertThat(read(freezer.resolve("freezer.state"))).isEqualTo("THAWED");
        assertThatThrownBy(() -> cgroup(FakeCgroupFs.keeping("freezer.state", "FREEZING")).freeze())
                .hasMessageStartingWith("freezer.state in " + freezer + " did not reach FROZEN within 200 ms (reads FREEZING)");
    }

    @Test
    void pressureIsEmptyWithoutPressureFiles() {
        file(memory, "memory.usage_in_bytes", "0\n");
        file(memory, "memory.oom_control", "oom_kill 0\n");
        file(cpu, "cpuacct.usage", "0\n");
        file(cpu, "cpuacct.stat", "user 0\nsystem 0\n");
        file(cpu, "cpu.stat", "nr_periods 0\n");
        file(pids, "pids.current", "0\n");
        file(pids, "pids.peak", "4\n");

        CgroupStats stats = cgroup(CgroupFs.REAL).stats();

        assertThat(stats.cpuPressure()).isEmpty();
        assertThat(stats.memoryPressure()).isEmpty();
        assertThat(stats.ioPressure()).isEmpty();
        assertThat(stats.pidsPeak()).as("v1 has pids.peak too").hasValue(4);
    }
}
