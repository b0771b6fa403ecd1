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
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupV2Test {

    @TempDir
    Path tmp;

    private Path sandbox() {
        Path dir = tmp.resolve("belljar-1");
        for (String name : new String[] {"memory.max", "memory.swap.max", "memory.oom.group", "cpu.max", "pids.max",
                "memory.high"}) {
            file(dir, name, name.equals("cpu.max") ? "max 100000\n" : name.equals("memory.oom.group") ? "0\n" : "max\n");
        }
        file(dir, "cpu.weight", "100\n");
        file(dir, "cpuset.cpus", "\n");
        file(dir, "io.max", "");
        file(dir, "cgroup.freeze", "0\n");
        file(dir, "cgroup.procs", "");
        file(dir, "cgroup.events", "populated 0\nfrozen 0\n");
        return dir;
    }

    private CgroupV2 cgroup(Path dir, CgroupFs fs) {
        return new CgroupV2("belljar-1", dir, new ControlFiles(fs), Duration.ofMillis(200));
    }

    /** memory.peak restarts only for the descriptor that wrote it, and stats() reads it anew: left as it is. */
    @Test
    void theMemoryPeakCannotRestartForAnotherReader() throws IOException {
        Path dir = sandbox();
        file(dir, "memory.peak", "100663296\n");

        assertThat(cgroup(dir, CgroupFs.REAL).resetMemoryPeak()).isFalse();
        assertThat(Files.readString(dir.resolve("memory.peak"))).isEqualTo("100663296\n");
    }

    @Test
    void statsParsesTheKernelFormats() {
        Path dir = sandbox();
        file(dir, "memory.current", "52355072\n");
        file(dir, "memory.peak", "67100672\n");
        file(dir, "memory.events", "low 0\nhigh 0\nmax 1489\noom 3\noom_kill 2\noom_group_kill 1\n");
        file(dir, "cpu.stat", """
                usage_usec 1234567
                user_usec 1000000
                system_usec 234567
                core_sched.force_idle_usec 0
                nr_periods 120
                nr_throttled 45
                throttled_usec 2500000
                nr_bursts 0
                burst_usec 0
                """);
        file(dir, "pids.current", "7\n");
        file(dir, "pids.peak", "12\n");
        file(dir, "io.stat", """
                8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0
                8:0 rbytes=90430464 wbytes=299008000 rios=8950 wios=1252 dbytes=50331648 dios=3021
                """);

        CgroupStats stats = cgroup(dir, CgroupFs.REAL).stats();

        assertThat(stats).isEqualTo(new CgroupStats(52355072, OptionalLong.of(67100672), 2,
                1_234_567_000L, 1_000_000_000L, 234_567_000L, 120, 45, 2_500_000_000L,
                7, OptionalLong.of(12), OptionalLong.of(1459200 + 90430464), OptionalLong.of(314773504 + 299008000),
                Optional.empty(), Optional.empty(), Optional.empty()));
        assertThat(cgroup(dir, CgroupFs.REAL).usage()).as("the light sample agrees with the full stats")
                .isEqualTo(new CgroupUsage(stats.memoryCurrentBytes(), stats.cpuUsageNanos(), stats.oomKills(),
                        stats.cpuThrottledNanos()))
                .isEqualTo(new CgroupUsage(52355072, 1_234_567_000L, 2, 2_500_000_000L));
    }

    @Test
    void valuesTheKernelDoesNotOfferAreEmptyNotZero() {
        Path dir = sandbox();
        file(dir, "memory.current", "4096\n");
        file(dir, "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
        // Without the cpu controller enabled, cpu.stat has only the usage keys.
        file(dir, "cpu.stat", "usage_usec 10\nuser_usec 6\nsystem_usec 4\n");
        file(dir, "pids.current", "1\n");

        CgroupStats stats = cgroup(dir, CgroupFs.REAL).stats();

        assertThat(stats.memoryPeakBytes()).isEmpty();
        assertThat(stats.pidsPeak()).isEmpty();
        assertThat(stats.ioReadBytes()).isEmpty();
        assertThat(stats.ioWriteBytes()).isEmpty();
        assertThat(stats.cpuThrottledNanos()).isZero();
    }

    @Test
    void emptyIoStatIsZeroNotEmpty() {
        Path dir = sandbox();
        file(dir, "memory.current", "4096\n");
        file(dir, "memory.events", "oom_kill 0\n");
        file(dir, "cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\n");
        file(dir, "pids.current", "0\n");
        file(dir, "io.stat", "");

        assertThat(cgroup(dir, CgroupFs.REAL).stats().ioReadBytes()).hasValue(0);
    }

    @Test
    void aMissingRequiredFileIsNamed() {
        Path dir = sandbox();
        file(dir, "memory.current", "4096\n");
        file(dir, "cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\n");

        assertThatThrownBy(() -> cgroup(dir, CgroupFs.REAL).stats())
                .isInstanceOf(CgroupException.class)
                .hasMessageContaining("memory.events in " + dir)
                .hasMessageContaining("No such file or directory");
    }

    @Test
    void applyWritesEveryLimitRoundedToPages() {
        Path dir = sandbox();

        cgroup(dir, CgroupFs.REAL).apply(CgroupLimits.none().withMemoryBytes(64_000_001)
                .withCpuQuota(50_000, 100_000).withPidsMax(32));

        assertThat(read(dir.resolve("memory.max"))).isEqualTo("64004096");
        assertThat(read(dir.resolve("memory.swap.max"))).as("no swap when only memory is limited").isEqualTo("0");
        assertThat(read(dir.resolve("memory.oom.group"))).isEqualTo("1");
        assertThat(read(dir.resolve("cpu.max"))).isEqualTo("50000 100000");
        assertThat(read(dir.resolve("pids.max"))).isEqualTo("32");
    }

    @Test
    void applyWritesTheRequestedSwapAndLeavesUnsetLimitsAlone() {
        Path dir = sandbox();

        cgroup(dir, CgroupFs.REAL).apply(CgroupLimits.none().withMemoryBytes(1 << 20).withSwapBytes(1 << 21));

        assertThat(read(dir.resolve("memory.swap.max"))).isEqualTo("2097152");
        assertThat(read(dir.resolve("cpu.max"))).isEqualTo("max 100000\n");
        assertThat(read(dir.resolve("pids.max"))).isEqualTo("max\n");
    }

    @Test
    void applyRefusesASwapLimitWithoutSwapAccounting() throws Exception {
        Path dir = sandbox();
        Files.delete(dir.resolve("memory.swap.max"));

        assertThatThrownBy(() -> cgroup(dir, CgroupFs.REAL).apply(CgroupLimits.none().withSwapBytes(4096)))
                .hasMessageContaining("memory.swap.max in " + dir + " does not exist");
    }

    @Test
    void aValueTheKernelDidNotKeepIsReported() {
        Path dir = sandbox();

        assertThatThrownBy(() -> cgroup(dir, FakeCgroupFs.keeping("memory.max", "max"))
                .apply(CgroupLimits.none().withMemoryBytes(64 << 20)))
                .isInstanceOf(CgroupException.class)
                .hasMessage("memory.max in " + dir + ": wrote 67108864 but the kernel kept max");
    }

    @Test
    void killAllUsesCgroupKillAndWaitsForAnEmptyCgroup() {
        Path dir = sandbox();
        file(dir, "cgroup.kill", "");

        cgroup(dir, CgroupFs.REAL).killAll();

        assertThat(read(dir.resolve("cgroup.kill"))).isEqualTo("1");
    }

    @Test
    void killAllNamesTheProcessesThatStay() {
        Path dir = sandbox();
        file(dir, "cgroup.kill", "");
        file(dir, "cgroup.events", "populated 1\nfrozen 0\n");
        // No process has this PID (pid_max is at most 2^22), so nothing is signalled.
        file(dir, "cgroup.procs", "999999999\n");

        assertThatThrownBy(() -> cgroup(dir, CgroupFs.REAL).killAll())
                .isInstanceOf(CgroupException.class)
                .hasMessageContaining("processes [999999999] still in " + dir);
    }

    @Test
    void closeOfARemovedCgroupDoesNothing() {
        cgroup(tmp.resolve("belljar-gone"), CgroupFs.REAL).close();
    }

    @Test
    void destroyRemovesNestedCgroupsToo() throws Exception {
        Path dir = tmp.resolve("belljar-2");
        Files.createDirectories(dir.resolve("inner/deeper"));

        cgroup(dir, CgroupFs.REAL).destroy();

        assertThat(dir).doesNotExist();
    }

    @Test
    void applyWritesMemoryHighWeightCpusetAndIoMax() {
        Path dir = sandbox();

        cgroup(dir, CgroupFs.REAL).apply(CgroupLimits.none().withMemoryHighBytes(48_000_001).withCpuWeight(300)
                .withCpusetCpus("1,0").withIoLimit(IoLimit.of("7:3").withWriteBps(1 << 20).withReadIops(50)));

        assertThat(read(dir.resolve("memory.high"))).isEqualTo("48001024");
        assertThat(read(dir.resolve("cpu.weight"))).isEqualTo("300");
        assertThat(read(dir.resolve("cpuset.cpus"))).isEqualTo("0-1");
        assertThat(read(dir.resolve("io.max"))).isEqualTo("7:3 rbps=max wbps=1048576 riops=50 wiops=max");
    }

    @Test
    void ioMaxReadBackFindsTheDevicesLine() {
        Path dir = sandbox();
        CgroupFs kernel = new CgroupFs() {
            @Override
            public String read(Path file) throws IOException {
                return CgroupFs.REAL.read(file);
            }

            /** Like the kernel: io.max lists every configured device, and ignored values stay max. */
            @Override
            public void write(Path file, String value) throws IOException {
                CgroupFs.REAL.write(file, "8:0 rbps=max wbps=max riops=1 wiops=max\n"
                        + value.replace("wbps=1048576", "wbps=max") + "\n");
            }
        };

        assertThatThrownBy(() -> cgroup(dir, kernel).apply(CgroupLimits.none()
                .withIoLimit(IoLimit.of("7:3").withWriteBps(1 << 20))))
                .isInstanceOf(CgroupException.class)
                .hasMessage("io.max in " + dir + ": wrote 7:3 rbps=max wbps=1048576 riops=max wiops=max"
                        + " but the kernel kept 7:3 rbps=max wbps=max riops=max wiops=max");
    }

    @Test
    void cpusTheParentDoesNotOfferAreReported() {
        Path dir = sandbox();
        file(dir, "cpuset.cpus.effective", "0\n");

        assertThatThrownBy(() -> cgroup(dir, CgroupFs.REAL).apply(CgroupLimits.none().withCpusetCpus("1")))
                .hasMessage("cpuset.cpus.effective in " + dir + ": wrote cpuset.cpus 1 but the kernel made 0 effective:"
                        + " the parent cgroup does not offer all of those CPUs");
    }

    @Test
    void freezeWritesCgroupFreezeAndWaitsForFrozen() {
        Path dir = sandbox();
        CgroupFs kernel = new CgroupFs() {
            @Override
            public String read(Path file) throws IOException {
                return CgroupFs.REAL.read(file);
            }

            @Override
            public void write(Path file, String value) throws IOException {
                CgroupFs.REAL.write(file, value);
                CgroupFs.REAL.write(dir.resolve("cgroup.events"), "populated 1\nfrozen " + value + "\n");
            }
        };

        cgroup(dir, kernel).freeze();
        assertThat(read(dir.resolve("cgroup.freeze"))).isEqualTo("1");
        cgroup(dir, kernel).thaw();
        assertThat(read(dir.resolve("cgroup.freeze"))).isEqualTo("0");
        assertThatThrownBy(() -> cgroup(dir, CgroupFs.REAL).freeze())
                .hasMessage("cgroup.events in " + dir + " did not report frozen 1 within 200 ms");
    }

    @Test
    void pressureFilesAreParsed() {
        Path dir = sandbox();
        file(dir, "memory.current", "4096\n");
        file(dir, "memory.events", "oom_kill 0\n");
        file(dir, "cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\n");
        file(dir, "pids.current", "0\n");
        file(dir, "cpu.pressure", "some avg10=1.50 avg60=0.30 avg300=0.07 total=2345678\n"
                + "full avg10=0.00 avg60=0.00 avg300=0.00 total=12\n");
        file(dir, "memory.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
        file(dir, "io.pressure", "garbage\n");

        assertThatThrownBy(() -> cgroup(dir, CgroupFs.REAL).stats())
                .hasMessage("io.pressure in " + dir + " has no 'some ... total=N' line (read 'garbage')");
        file(dir, "io.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=7\n"
                + "full avg10=0.00 avg60=0.00 avg300=0.00 total=3\n");

        CgroupStats stats = cgroup(dir, CgroupFs.REAL).stats();

        assertThat(stats.cpuPressure()).hasValue(new Pressure(2_345_678, OptionalLong.of(12)));
        assertThat(stats.memoryPressure()).as("no full line: empty, not zero")
                .hasValue(new Pressure(0, OptionalLong.empty()));
        assertThat(stats.ioPressure()).hasValue(new Pressure(7, OptionalLong.of(3)));
    }

    @Test
    void pressureThatTheKernelRefusesToReadIsEmpty() {
        Path dir = sandbox();
        file(dir, "cpu.pressure", "");
        ControlFiles refusing = new ControlFiles(new CgroupFs() {
            @Override
            public String read(Path file) throws IOException {
                throw new FileSystemException(file.toString(), null, "Operation not supported");
            }

            @Override
            public void write(Path file, String value) {
            }
        });

        assertThat(refusing.readPressure(dir.resolve("cpu.pressure"))).isEmpty();
        assertThat(refusing.readPressure(dir.resolve("io.pressure"))).isEmpty();
    }
}
