package dev.belljar;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.platform.engine.discovery.MethodSelector;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/** Limits the kernel enforces, and what the child reports that reaches the parent. */
class LimitsAndReportingTest extends KernelTest {

    private static Events run(String method) {
        return EngineTestKit.engine("junit-jupiter").selectors(select(method)).execute().testEvents();
    }

    private static MethodSelector select(String name) {
        return selectMethod(Cases.class, Arrays.stream(Cases.class.getDeclaredMethods())
                .filter(m -> m.getName().equals(name)).findFirst().orElseThrow());
    }

    private static List<Map<String, String>> reportEntries(Events events) {
        return events.reportingEntryPublished().stream()
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs()).toList();
    }

    @Test
    void pidsLimitStopsAThreadBombInsideOnly() {
        run("threadBomb").assertStatistics(s -> s.succeeded(1));
    }

    @Test
    void composedAnnotationDeclaresTheSandbox() {
        Events events = run("inSmallBox");
        events.assertStatistics(s -> s.succeeded(1));
        assertThat(reportEntries(events)).anySatisfy(entries ->
                assertThat(entries).containsEntry("belljar.memory.limitBytes", Long.toString(96L << 20))
                        .containsEntry("belljar.pids.limit", "100"));
    }

    @Test
    void reportEntriesOfTheChildAreForwarded() {
        assertThat(reportEntries(run("publishes"))).contains(Map.of("answer", "42"));
    }

    @Test
    void childOutputIsTheTestsOutput() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true));
        try {
            run("prints").assertStatistics(s -> s.succeeded(1));
        } finally {
            System.setOut(original);
        }
        assertThat(captured.toString()).contains("printed inside the sandbox");
    }

    @Test
    void unenforceableSpecAbortsWithTheReasonAndTheFix() {
        Events events = EngineTestKit.engine("junit-jupiter").selectors(select("publishes"))
                .configurationParameter("belljar.cgroup.parent", "/nonexistent/cgroup").execute().testEvents();
        events.assertThatEvents().haveExactly(1, event(test("publishes"), abortedWithReason(
                        message(m -> m.contains("cannot enforce") && m.contains("/nonexistent/cgroup")
                                && m.contains("belljar.unenforceable=fail")))));
        // In the run's summary and report too, with the reason.
        assertThat(events.reportingEntryPublished().stream()
                .map(event -> event.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs()))
                .anySatisfy(entries -> {
                    assertThat(entries).containsEntry("belljar.outcome", "ABORTED");
                    assertThat(entries.get("belljar.summary")).startsWith("ABORTED before its sandbox started: ")
                            .contains("/nonexistent/cgroup");
                });
    }

    @Test
    void unenforceableSpecFailsWhenConfigured() {
        EngineTestKit.engine("junit-jupiter").selectors(select("publishes"))
                .configurationParameter("belljar.cgroup.parent", "/nonexistent/cgroup")
                .configurationParameter("belljar.unenforceable", "fail").execute().testEvents()
                .assertThatEvents().haveExactly(1, event(test("publishes"), finishedWithFailure(
                        message(m -> m.contains("cannot enforce") && m.contains("the test did not run")))));
    }

    @Test
    void cpuTimeAndThrottlingAreAccounted() {
        Events events = run("spinsAtAQuarterCore");
        events.assertStatistics(s -> s.succeeded(1));
        assertThat(reportEntries(events)).anySatisfy(entries -> {
            assertThat(Long.parseLong(entries.get("belljar.cpu.throttledPeriods"))).isPositive();
            assertThat(Long.parseLong(entries.get("belljar.cpu.throttledNanos"))).isPositive();
            assertThat(Long.parseLong(entries.get("belljar.cpu.usageNanos")))
                    .isGreaterThan(Long.parseLong(entries.get("belljar.cpu.baselineNanos")));
        });
    }

    @Target({ElementType.METHOD, ElementType.TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Isolated(memory = "96M", pids = 100)
    @interface SmallBox {
    }

    static class Cases {
        @Test
        @Isolated(pids = 64)
        void threadBomb() {
            List<Thread> threads = new ArrayList<>();
            assertThatThrownBy(() -> {
                for (int i = 0; i < 1000; i++) {
                    Thread t = new Thread(() -> sleep(5_000));
                    t.setDaemon(true);
                    t.start();
                    threads.add(t);
                }
            }).isInstanceOf(OutOfMemoryError.class).hasMessageContaining("unable to create native thread");
            assertThat(threads.size()).isLessThan(64);
        }

        @Test
        @SmallBox
        void inSmallBox() {
        }

        @Test
        @Isolated
        void publishes(TestReporter reporter) {
            reporter.publishEntry("answer", "42");
        }

        @Test
        @Isolated
        void prints() {
            System.out.println("printed inside the sandbox");
        }

        @Test
        @Isolated(cpu = "0.25")
        @Expect(throttledTime = "> 0")
        void spinsAtAQuarterCore() {
            long x = 0;
            for (long i = 0; i < 200_000_000L; i++) {
                x += i ^ (x >>> 3);
            }
            assertThat(x).isNotEqualTo(1);
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
