package dev.belljar;

import dev.belljar.linux.cgroup.IoLimit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/** {@code @Expect} bounds and outcomes, and configuration defaults, as a JUnit user sees them. */
class ExpectationsTest extends KernelTest {

    private static Events run(Class<?> cases, String method, String... configuration) {
        var kit = EngineTestKit.engine("junit-jupiter").selectors(selectMethod(cases, Arrays.stream(cases.getDeclaredMethods())
                .filter(m -> m.getName().equals(method)).findFirst().orElseThrow()));
        for (int i = 0; i < configuration.length; i += 2) {
            kit = kit.configurationParameter(configuration[i], configuration[i + 1]);
        }
        return kit.execute().testEvents();
    }

    @Test
    void metBoundsPass() {
        run(Cases.class, "withinBounds").assertThatEvents()
                .haveExactly(1, event(test("withinBounds"), finishedSuccessfully()));
    }

    @Test
    void everyUnmetBoundIsReportedAtOnceWithActualAndLimit() {
        run(Cases.class, "outsideTwoBounds").assertThatEvents().haveExactly(1, event(test("outsideTwoBounds"),
                finishedWithFailure(message(m -> m.startsWith("the isolated test ended PASSED but did not stay within 2 of its expected bounds:")
                        && m.matches("(?s).*expected peak memory < 1 MiB but was [0-9.]+ MiB \\(limit 256 MiB\\).*")
                        && m.matches("(?s).*expected CPU time < 1.0 us but was .* \\(no CPU quota\\).*")))));
    }

    @Test
    void classExpectationMergesWithTheMethods() {
        run(ClassWide.class, "methodAddsABound").assertThatEvents().haveExactly(1, event(test("methodAddsABound"),
                finishedWithFailure(message(m -> m.contains("2 of its expected bounds")
                        && m.contains("expected peak memory < 1 MiB") && m.contains("expected wall time < 1.0 us")))));
    }

    @Test
    void unparsableBoundNamesTheAnnotationAndValue() {
        run(Cases.class, "badBound").assertThatEvents().haveExactly(1, event(test("badBound"), finishedWithFailure(
                message(m -> m.equals("@Expect on dev.belljar.ExpectationsTest$Cases.badBound(): peakMemory = \"about 4M\""
                        + " is not a bound: write a comparison <, <=, >, >= or == and a size, e.g. \"< 48M\"")))));
    }

    /** The bound is echoed whole, as written: "<< 1m" once came back as "< 1m". */
    @Test
    void aDoubledComparisonIsEchoedWhole() {
        run(Cases.class, "doubledComparison").assertThatEvents().haveExactly(1, event(test("doubledComparison"),
                finishedWithFailure(message("@Expect on dev.belljar.ExpectationsTest$Cases.doubledComparison(): wallTime ="
                        + " \"<< 1m\" is not a bound: write a comparison <, <=, >, >= or == and a duration, e.g. \"< 1m\""))));
    }

    @Test
    void testsOwnShareExcludesTheJvmBaseline() {
        run(Cases.class, "testsOwnShare").assertThatEvents()
                .haveExactly(1, event(test("testsOwnShare"), finishedSuccessfully()));
    }

    @Test
    void throttlingPidsAndTheTestsOwnCpuTimeAreBoundedOnTheKernel() {
        run(Cases.class, "spinsWithThreads").assertThatEvents()
                .haveExactly(1, event(test("spinsWithThreads"), finishedSuccessfully()));
    }

    @Test
    void bytesWrittenToABlockDeviceAreBounded() {
        Assumptions.assumeTrue(IoLimit.cannotLimit(Path.of("/var/tmp")).isEmpty(),
                "/var/tmp is not on a block device here, so no I/O reaches the sandbox's accounting");
        run(Cases.class, "writesDirectly").assertThatEvents()
                .haveExactly(1, event(test("writesDirectly"), finishedSuccessfully()));
    }

    @Test
    void unmetPidsBoundNamesThePeak() {
        run(Cases.class, "tooManyThreads").assertThatEvents().haveExactly(1, event(test("tooManyThreads"),
                finishedWithFailure(message(m -> m.matches("(?s).*expected processes and threads <= 2 but was \\d+.*")))));
    }

    @Test
    void configurationDefaultsApplyUnderTheAnnotation() {
        Events events = run(Cases.class, "noLimitsDeclared", "belljar.default.memory", "200M", "belljar.default.pids", "500");
        events.assertStatistics(s -> s.succeeded(1));
        List<Map<String, String>> entries = events.reportingEntryPublished().stream()
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs()).toList();
        assertThat(entries).anySatisfy(e -> assertThat(e).containsEntry("belljar.memory.limitBytes", Long.toString(200L << 20))
                .containsEntry("belljar.pids.limit", "500"));
    }

    @Test
    void badConfigurationDefaultNamesTheKey() {
        run(Cases.class, "noLimitsDeclared", "belljar.default.net", "INTERNET").assertThatEvents().haveExactly(1,
                event(test("noLimitsDeclared"), finishedWithFailure(message(
                        "configuration parameter belljar.default.net = \"INTERNET\" is not a network;"
                                + " allowed: HOST, PRIVATE, NONE (case-insensitive)"))));
    }

    /** Every setting is checked before a sandbox starts, those read only after the run too, and names its key. */
    @Test
    void badConfigurationSwitchesNameTheirKeys() {
        for (String key : List.of("belljar.child.prestart", "belljar.child.cds", "belljar.report", "belljar.summary")) {
            Events events = run(Cases.class, "noLimitsDeclared", key, "maybe");
            events.assertThatEvents().as(key).haveExactly(1, event(test("noLimitsDeclared"), finishedWithFailure(message(
                    "configuration parameter " + key + " = \"maybe\" is not a boolean: use true or false"))));
            assertThat(events.reportingEntryPublished().list()).as("nothing ran").isEmpty();
        }
    }

    static class Cases {
        @Test
        @Isolated
        @Expect(wallTime = "<< 1m")
        void doubledComparison() {
        }

        @Test
        @Isolated(memory = "256M")
        @Expect(peakMemory = "< 256M", cpuTime = "> 0", throttledTime = "== 0", wallTime = "< 10m")
        void withinBounds() {
        }

        @Test
        @Isolated(memory = "256M")
        @Expect(peakMemory = "< 1M", cpuTime = "< 1us", wallTime = "> 1ms")
        void outsideTwoBounds() {
        }

        @Test
        @Isolated
        @Expect(peakMemory = "about 4M")
        void badBound() {
        }

        @Test
        @Isolated(memory = "256M")
        @Expect(testMemory = "> 16M", peakMemory = "> 40M")
        void testsOwnShare() {
            byte[][] hoard = new byte[40][];
            for (int i = 0; i < hoard.length; i++) {
                hoard[i] = new byte[1 << 20];
                Arrays.fill(hoard[i], (byte) 1);
            }
            assertThat(hoard[39][0]).isEqualTo((byte) 1);
        }

        @Test
        @Isolated
        void noLimitsDeclared() {
        }

        @Test
        @Isolated(cpu = "0.25", pids = 200)
        @Expect(throttledPeriods = "> 0", pids = "<= 200", testCpuTime = "> 10ms")
        void spinsWithThreads() throws InterruptedException {
            Thread[] spinners = new Thread[2];
            for (int i = 0; i < spinners.length; i++) {
                spinners[i] = new Thread(() -> {
                    long x = 0;
                    for (long n = 0; n < 100_000_000L; n++) {
                        x += n ^ (x >>> 7);
                    }
                    if (x == 42) {
                        System.out.println(x);
                    }
                });
                spinners[i].start();
            }
            for (Thread spinner : spinners) {
                spinner.join();
            }
        }

        @Test
        @Isolated
        @Expect(pids = "<= 2")
        void tooManyThreads() {
        }

        /**
         * O_DIRECT: the writes reach the device from the sandbox's own process, not from write-back.
         * A (generous) limit on the device: cgroup v1 blkio counts only I/O that passes a throttle rule.
         */
        @Test
        @Isolated(io = "/var/tmp: write=1G")
        @Expect(ioWrite = ">= 4M", ioRead = ">= 0")
        void writesDirectly() throws Exception {
            Path file = Files.createTempFile(Path.of("/var/tmp"), "belljar-io-", ".bin");
            try {
                Process dd = new ProcessBuilder("dd", "if=/dev/zero", "of=" + file, "bs=1M", "count=4", "oflag=direct")
                        .redirectErrorStream(true).start();
                dd.getInputStream().readAllBytes();
                assertThat(dd.waitFor()).isZero();
            } finally {
                Files.delete(file);
            }
        }
    }

    @Isolated(memory = "256M")
    @Expect(peakMemory = "< 1M")
    static class ClassWide {
        @Test
        @Expect(wallTime = "< 1us")
        void methodAddsABound() {
        }
    }
}
