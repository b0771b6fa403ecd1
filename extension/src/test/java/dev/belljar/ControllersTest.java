package dev.belljar;

import dev.belljar.linux.cgroup.CgroupManager;
import dev.belljar.linux.cgroup.CgroupVersion;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/** cpuset, CPU weight, memory.high, I/O limits and pressure, as declared on @Isolated. */
class ControllersTest extends KernelTest {
    private static final CgroupVersion VERSION = CgroupManager.ofThisProcess().version();

    private static Events run(String name) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectMethod(Cases.class, name)).execute().testEvents();
    }

    private static List<Map<String, String>> entries(Events events) {
        return events.reportingEntryPublished().stream()
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs()).toList();
    }

    @Test
    void cpusetPinsTheTestAndTheJvmCountsItsCpus() {
        run("pinnedToCpuZero").assertThatEvents().haveExactly(1, event(test("pinnedToCpuZero"), finishedSuccessfully()));
    }

    @Test
    void cpuWeightReachesTheKernel() {
        run("weighted").assertThatEvents().haveExactly(1, event(test("weighted"), finishedSuccessfully()));
    }

    @Test
    void memoryHighThrottlesOnV2AndIsRefusedOnV1() {
        Events events = run("softLimit");
        if (VERSION == CgroupVersion.V1) {
            events.assertThatEvents().haveExactly(1, event(test("softLimit"), abortedWithReason(
                    message(m -> m.contains("memoryHigh is not supported on cgroup v1")))));
        } else {
            events.assertThatEvents().haveExactly(1, event(test("softLimit"), finishedSuccessfully()));
        }
    }

    @Test
    void ioLimitOnAPathWithoutABlockDeviceIsRefusedWithTheReason() {
        run("ioOnProc").assertThatEvents().haveExactly(1, event(test("ioOnProc"), abortedWithReason(
                message(m -> m.contains("io limits for /proc") && m.contains("not on a block device")))));
    }

    @Test
    void pressureIsReportedWhereTheKernelHasItAndAbsentElsewhere() {
        Events events = run("weighted");
        boolean psi = VERSION == CgroupVersion.V2 && Files.exists(Path.of("/proc/pressure/cpu"));
        assertThat(entries(events)).anySatisfy(e -> {
            assertThat(e).containsKey("belljar.outcome");
            if (psi) {
                assertThat(e).containsKeys("belljar.pressure.cpu.someMicros", "belljar.pressure.memory.someMicros");
            } else {
                assertThat(e.keySet()).noneMatch(key -> key.startsWith("belljar.pressure."));
            }
        });
    }

    /** The test's own cgroup directory of a hierarchy, read from inside (no cgroup namespace). */
    static Path ownCgroup(String v1Controller) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] parts = line.split(":", 3);
            if (VERSION == CgroupVersion.V2 && parts[0].equals("0")) {
                return Path.of("/sys/fs/cgroup" + parts[2]);
            }
            if (VERSION == CgroupVersion.V1 && List.of(parts[1].split(",")).contains(v1Controller)) {
                return Path.of("/sys/fs/cgroup", v1Controller + parts[2]);
            }
        }
        throw new IllegalStateException("no " + v1Controller + " line in /proc/self/cgroup");
    }

    static class Cases {
        @Test
        @Isolated(cpuset = "0")
        void pinnedToCpuZero() throws IOException {
            assertThat(Files.readAllLines(Path.of("/proc/self/status"))).contains("Cpus_allowed_list:\t0");
            assertThat(Runtime.getRuntime().availableProcessors()).isEqualTo(1);
        }

        @Test
        @Isolated(cpuWeight = 300)
        void weighted() throws IOException {
            String expected = VERSION == CgroupVersion.V2 ? "300" : Long.toString(300L * 1024 / 100);
            Path file = ownCgroup("cpu").resolve(VERSION == CgroupVersion.V2 ? "cpu.weight" : "cpu.shares");
            assertThat(Files.readString(file).trim()).isEqualTo(expected);
        }

        /**
         * The soft limit reaches the sandbox's cgroup. (That the kernel throttles above it is proven
         * natively, in CgroupControllersKernelTest: a JVM above memory.high without swap is throttled
         * for minutes on an emulated CPU.)
         */
        @Test
        @Isolated(memory = "256M", memoryHigh = "64M")
        void softLimit() throws IOException {
            assertThat(Files.readString(ownCgroup("memory").resolve("memory.high")).trim())
                    .isEqualTo(Long.toString(64L << 20));
        }

        @Test
        @Isolated(io = "/proc: write=1M")
        void ioOnProc() {
        }
    }
}
