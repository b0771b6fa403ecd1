package dev.belljar.linux.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cgroup layer on the real kernel of this host (v1, hybrid or v2). Sandboxes are created only
 * beneath this JVM's own cgroup; every process and cgroup a test makes is removed after it
 * ({@link KernelCgroups}).
 */
@Tag("kernel")
class CgroupKernelTest {

    @RegisterExtension
    final KernelCgroups kernel = new KernelCgroups();

    @Test
    void limitsAccountingKillAndRemoval() throws Exception {
        Cgroup cgroup = kernel.sandbox(CgroupLimits.none().withMemoryBytes(64 << 20).withCpuQuota(50_000, 100_000)
                .withPidsMax(32));

        // dd holds a 4 MB buffer, filled after it joined (v1 charges a process's older pages where they were
        // faulted, and charges in per-CPU batches: a bare sleep can read as 0 bytes), and blocks writing it to
        // a sleep that never reads. Reading /dev/zero costs next to no CPU, even at half a core under emulation.
        Process sleeper = kernel.startInside(cgroup,
                "sh -c 'dd if=/dev/zero bs=4000000 count=1 2>/dev/null | sleep 30'");

        assertThat(Poll.until(() -> cgroup.stats().pidsCurrent() == 3 && cgroup.stats().memoryCurrentBytes() > 4_000_000,
                Duration.ofSeconds(30))).as("sh, dd holding 4 MB and sleep in %s: %s", cgroup, cgroup.stats()).isTrue();
        CgroupStats stats = cgroup.stats();
        assertThat(stats.oomKills()).isZero();
        CgroupUsage usage = cgroup.usage();
        assertThat(usage.memoryCurrentBytes()).isGreaterThan(4_000_000);
        assertThat(usage.cpuUsageNanos()).isGreaterThanOrEqualTo(stats.cpuUsageNanos());
        assertThat(usage.oomKills()).isZero();

        cgroup.killAll();

        assertThat(sleeper.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(cgroup.pids()).isEmpty();
        cgroup.destroy();
        assertThat(cgroup.procsFiles()).allSatisfy(procs -> assertThat(procs.getParent()).doesNotExist());
    }

    @Test
    void cgroupsMadeBeneathASandboxGoWithIt() throws Exception {
        Cgroup cgroup = kernel.sandbox(CgroupLimits.none().withPidsMax(32));
        for (Path procs : cgroup.procsFiles()) {
            Files.createDirectories(procs.getParent().resolve("inner").resolve("innermost"));
        }

        cgroup.close();

        assertThat(cgroup.procsFiles()).allSatisfy(procs -> assertThat(procs.getParent()).doesNotExist());
    }

    @Test
    void aProcessThatMovedIntoACgroupOfItsOwnIsKilledWithTheSandbox() throws Exception {
        Cgroup cgroup = kernel.sandbox(CgroupLimits.none().withPidsMax(32));
        Process escapee = kernel.startInside(cgroup, "sleep 60");
        assertThat(Poll.until(() -> cgroup.pids().contains(escapee.pid()), Duration.ofSeconds(10))).isTrue();
        for (Path procs : cgroup.procsFiles()) {
            Path inner = Files.createDirectories(procs.getParent().resolve("inner"));
            for (String cpuset : List.of("cpuset.cpus", "cpuset.mems")) {
                // A v1 cpuset cgroup takes no process before it has CPUs and memory nodes.
                if (Files.exists(inner.resolve(cpuset)) && Files.readString(inner.resolve(cpuset)).isBlank()) {
                    Files.writeString(inner.resolve(cpuset), Files.readString(procs.getParent().resolve(cpuset)).strip());
                }
            }
            Files.writeString(inner.resolve("cgroup.procs"), Long.toString(escapee.pid()));
        }
        assertThat(cgroup.pids()).as("PIDs of the sandbox, the cgroup beneath it included").containsExactly(escapee.pid());

        cgroup.close();

        assertThat(escapee.waitFor(10, TimeUnit.SECONDS)).as("the process in the inner cgroup is killed").isTrue();
        assertThat(cgroup.procsFiles()).allSatisfy(procs -> assertThat(procs.getParent()).doesNotExist());
    }

    @Test
    void anOomKillIsCounted() throws Exception {
        Cgroup cgroup = kernel.sandbox(CgroupLimits.none().withMemoryBytes(16 << 20));

        // tail keeps the last line in memory, and /dev/zero has no newline: it grows until killed.
        Process hog = kernel.startInside(cgroup, "sh -c 'head -c 200000000 /dev/zero | tail -n 1 > /dev/null'");

        assertThat(hog.waitFor(60, TimeUnit.SECONDS)).as("the memory hog ends").isTrue();
        assertThat(cgroup.stats().oomKills()).isPositive();
        assertThat(cgroup.usage().oomKills()).isEqualTo(cgroup.stats().oomKills());
    }

    @Test
    void anOomKillIsNoticedWhenTheKernelReportsIt() throws Exception {
        Cgroup cgroup = kernel.sandbox(CgroupLimits.none().withMemoryBytes(16 << 20));
        CountDownLatch killed = new CountDownLatch(1);
        AtomicLong count = new AtomicLong();
        try (OomWatch watch = cgroup.watchOomKills(kills -> {
            count.set(kills);
            killed.countDown();
        })) {
            Process hog = kernel.startInside(cgroup, "sh -c 'head -c 200000000 /dev/zero | tail -n 1 > /dev/null'");
            assertThat(killed.await(60, TimeUnit.SECONDS)).as("the watch reported the kill").isTrue();
            assertThat(count.get()).isPositive();
            hog.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCpuQuotaThrottlesABusyLoop() throws Exception {
        Cgroup cgroup = kernel.sandbox(CgroupLimits.none().withCpuQuota(10_000, 100_000));

        Process spinner = kernel.startInside(cgroup, "timeout 1 sh -c 'while :; do :; done'");

        assertThat(spinner.waitFor(30, TimeUnit.SECONDS)).isTrue();
        CgroupStats stats = cgroup.stats();
        assertThat(stats.cpuThrottledPeriods()).isPositive();
        assertThat(stats.cpuThrottledNanos()).isPositive();
        assertThat(stats.cpuUsageNanos()).isPositive();
    }

    @Test
    void aPidsLimitStopsForks() throws Exception {
        Cgroup cgroup = kernel.sandbox(CgroupLimits.none().withPidsMax(3));

        Process forker = kernel.startInside(cgroup, "sh -c 'for i in 1 2 3 4 5 6; do sleep 5 & done; wait'");

        assertThat(forker.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(forker.getInputStream().readAllBytes())).contains("fork");
    }
}
