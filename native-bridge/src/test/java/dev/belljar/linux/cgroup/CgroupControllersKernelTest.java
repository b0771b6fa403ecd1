package dev.belljar.linux.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * memory.high, cpu weight, cpuset, io throttling, the freezer and PSI on the real kernel. Each test
 * proves the kernel enforced the limit by the kernel's own evidence (counters, affinity, a ratio of
 * CPU time), never by elapsed time; each removes its processes, cgroups and loop device
 * ({@link KernelCgroups}).
 */
@Tag("kernel")
class CgroupControllersKernelTest {

    @RegisterExtension
    final KernelCgroups kernel = new KernelCgroups();

    @TempDir
    Path tmp;

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes()).strip();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s ends", List.of(command)).isTrue();
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + process.exitValue() + ": " + output);
        }
        return output;
    }

    private static void assumeTwoCpus() {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2,
                "pinning to one CPU proves nothing on a host with a single CPU");
    }

    @Test
    void memoryHighThrottlesBeforeAnyKill() throws Exception {
        if (kernel.manager().version() == CgroupVersion.V1) {
            assertThat(kernel.manager().cannotEnforce(CgroupLimits.none().withMemoryHighBytes(16 << 20)))
                    .hasValue("memoryHigh is not supported on cgroup v1 (memory.high exists only in cgroup v2):"
                            + " remove it or run on a cgroup v2 host");
            return;
        }
        Cgroup cgroup = kernel.sandbox(CgroupLimits.none().withMemoryHighBytes(16 << 20));
        Path events = cgroup.procsFiles().get(0).resolveSibling("memory.events");

        // tail keeps the last line in memory, and /dev/zero has no newline: it grows past memory.high.
        Process hog = kernel.startInside(cgroup, "sh -c 'head -c 100000000 /dev/zero | tail -n 1 > /dev/null'");

        ControlFiles files = ControlFiles.real();
        assertThat(Poll.until(() -> files.readKey(events, "high") > 0 || !hog.isAlive(), Duration.ofSeconds(60)))
                .isTrue();
        assertThat(files.readKey(events, "high")).as("memory.events high: the kernel throttled above memory.high")
                .isPositive();
        assertThat(cgroup.stats().oomKills()).as("memory.high throttles, it never kills").isZero();
    }

    @Test
    void cpuWeightsShareOneCpuInTheirRatio() throws Exception {
        assumeTwoCpus();
        Cgroup light = kernel.sandbox(CgroupLimits.none().withCpusetCpus("0").withCpuWeight(100));
        Cgroup heavy = kernel.sandbox(CgroupLimits.none().withCpusetCpus("0").withCpuWeight(300));
        kernel.startInside(light, "sh -c 'while :; do :; done'");
        kernel.startInside(heavy, "sh -c 'while :; do :; done'");

        long lightStart = light.stats().cpuUsageNanos();
        long heavyStart = heavy.stats().cpuUsageNanos();
        Thread.sleep(2_000);
        double lightUsed = light.stats().cpuUsageNanos() - lightStart;
        double heavyUsed = heavy.stats().cpuUsageNanos() - heavyStart;

        assertThat(lightUsed).as("the light sandbox ran").isPositive();
        assertThat(heavyUsed / lightUsed).as("CPU time of weight 300 over weight 100 on one shared CPU (%s vs %s ns)",
                heavyUsed, lightUsed).isBetween(2.0, 4.5);
    }

    @Test
    void cpusetPinsTheProcess() throws Exception {
        assumeTwoCpus();
        Cgroup cgroup = kernel.sandbox(CgroupLimits.none().withCpusetCpus("0"));

        Process sleeper = kernel.startInside(cgroup, "sleep 30");

        // The shell joins the cgroup and then execs sleep: read the status once it is sleep.
        Path status = Path.of("/proc/" + sleeper.pid() + "/status");
        assertThat(Poll.until(() -> linesOf(status).contains("Name:\tsleep"), Duration.ofSeconds(10)))
                .as("the process joined its cgroup and exec'd sleep").isTrue();
        assertThat(Files.readAllLines(status)).contains("Cpus_allowed_list:\t0");
    }

    private static List<String> linesOf(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }

    @Test
    void aFrozenCgroupStopsAndAThawedOneRunsOn() throws Exception {
        Cgroup cgroup = kernel.sandbox(CgroupLimits.none());
        Path counter = tmp.resolve("counter");
        kernel.startInside(cgroup, "sh -c 'i=0; while :; do i=$((i+1)); echo $i >> " + counter + "; done'");
        assertThat(Poll.until(() -> size(counter) > 0, Duration.ofSeconds(10))).isTrue();

        cgroup.freeze();
        long frozen = size(counter);
        Thread.sleep(300);
        assertThat(size(counter)).as("a frozen process writes nothing").isEqualTo(frozen);

        cgroup.thaw();
        assertThat(Poll.until(() -> size(counter) > frozen, Duration.ofSeconds(10)))
                .as("the thawed process writes again").isTrue();
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Two dd writing 32 MiB each with O_DIRECT to the same loop device at the same time, one
     * throttled to 1 MiB/s and writing before the other starts: once the free one has finished,
     * the kernel's own byte count of the throttled one (io.stat / blkio.throttle.io_service_bytes)
     * is far below its total. Were the limit not enforced, both would have written everything by
     * then. No duration is measured.
     */
    @Test
    void writeBpsThrottlesABlockDevice() throws Exception {
        Path backing = Files.createTempFile(Path.of("/tmp"), "belljar-kt-loop", ".img");
        kernel.afterwards(() -> Files.deleteIfExists(backing));
        run("truncate", "-s", "80M", backing.toString());
        String loopDevice = attachLoopDevice(backing);
        kernel.afterwards(() -> run("losetup", "-d", loopDevice));
        IoLimit device = IoLimit.forPath(Path.of(loopDevice));
        assertThat(device.device()).isEqualTo(Files.readString(
                Path.of("/sys/class/block", Path.of(loopDevice).getFileName().toString(), "dev")).strip());
        Cgroup throttled = kernel.sandbox(CgroupLimits.none().withIoLimit(device.withWriteBps(1 << 20)));
        Cgroup free = kernel.sandbox(CgroupLimits.none());

        String dd = "dd if=/dev/zero of=" + loopDevice + " bs=64k count=512 oflag=direct conv=notrunc seek=";
        Process slow = kernel.startInside(throttled, dd + "0");
        // Under load dd may still be starting: the free one would then finish before the throttled one wrote a byte.
        assertThat(Poll.until(() -> throttled.stats().ioWriteBytes().orElse(0L) > 0 || !slow.isAlive(), Duration.ofSeconds(30)))
                .as("the throttled dd began to write").isTrue();
        Process fast = kernel.startInside(free, dd + "512");

        assertThat(fast.waitFor(120, TimeUnit.SECONDS)).as("the unthrottled dd ends").isTrue();
        assertThat(fast.exitValue()).as(new String(fast.getInputStream().readAllBytes())).isZero();
        long slowWritten = throttled.stats().ioWriteBytes().orElseThrow();
        assertThat(slow.isAlive()).as("the throttled dd is still writing").isTrue();
        if (free.version() == CgroupVersion.V2) {
            // At least: on v2 io.stat also counts the writeback of a disk-backed loop file to that disk.
            assertThat(free.stats().ioWriteBytes().orElseThrow()).as("the kernel counted the free dd's bytes")
                    .isGreaterThanOrEqualTo(32L << 20);
        } else {
            // v1 blkio counts only what passes a throttle rule: without one the figure is absent, not 0.
            assertThat(free.stats().ioWriteBytes()).isEmpty();
        }
        assertThat(slowWritten).as("bytes the throttled dd wrote meanwhile (of 32 MiB)")
                .isPositive().isLessThan(16L << 20);
    }

    /** A new loop device over {@code backing}; the test is skipped where none can be made. */
    private static String attachLoopDevice(Path backing) throws InterruptedException {
        try {
            return run("losetup", "-f", "--show", backing.toString());
        } catch (IOException e) {
            return abort("no loop device can be created here (losetup -f --show " + backing + "): " + e.getMessage());
        }
    }

    @Test
    void pathsOffABlockDeviceAreNamed() {
        assertThat(IoLimit.cannotLimit(Path.of("/proc/self"))).hasValueSatisfying(reason -> assertThat(reason)
                .startsWith("/proc/self is on proc (source proc, mounted at /proc,").contains("not on a block device"));
    }

    @Test
    void pressureIsReportedWhereTheKernelOffersIt() throws Exception {
        assumeTwoCpus();
        Cgroup cgroup = kernel.sandbox(CgroupLimits.none().withCpusetCpus("0"));
        // Two busy loops on one CPU: one always waits for it.
        kernel.startInside(cgroup, "sh -c 'while :; do :; done & while :; do :; done'");
        Thread.sleep(1_000);

        CgroupStats stats = cgroup.stats();

        boolean offered = cgroup.procsFiles().stream().anyMatch(procs -> Files.exists(procs.resolveSibling("cpu.pressure")));
        if (offered) {
            assertThat(stats.cpuPressure()).hasValueSatisfying(cpu -> assertThat(cpu.someTotalMicros()).isPositive());
            assertThat(stats.memoryPressure()).isPresent();
            assertThat(stats.ioPressure()).isPresent();
        } else {
            assertThat(stats.cpuPressure()).isEmpty();
            assertThat(stats.memoryPressure()).isEmpty();
            assertThat(stats.ioPressure()).isEmpty();
        }
    }
}
