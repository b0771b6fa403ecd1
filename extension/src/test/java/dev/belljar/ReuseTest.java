package dev.belljar;

import com.sun.jna.Memory;
import dev.belljar.internal.Configuration;
import dev.belljar.internal.parent.Timeline;
import dev.belljar.linux.cgroup.CgroupManager;
import dev.belljar.linux.cgroup.CgroupVersion;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestReporter;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/**
 * reuse = CLASS: the tests of a class share one child JVM one after another; a test that ends its
 * child fails alone and the next one gets a fresh child; accounting stays per test.
 */
class ReuseTest extends KernelTest {



    @Test
    void testsOfAClassRunInOneChildAndOneThatEndsItFailsAloneBeforeAFreshOne() {
        Events events = runEngine(Shared.class);

        events.assertStatistics(s -> s.succeeded(4).failed(1));
        List<String> pids = entries(events, "pid");
        assertThat(pids).hasSize(5);
        assertThat(pids.subList(0, 3)).as("the first three tests, in one JVM").containsOnly(pids.get(0));
        assertThat(pids.get(3)).as("after the test that exited, a fresh child").isNotEqualTo(pids.get(0));
        assertThat(pids.get(4)).as("which the next test shares").isEqualTo(pids.get(3));
        assertThat(descendantsButTheWatchdog()).as("the shared children, gone with their class").isEmpty();
        assertThat(entries(events, "belljar.outcome").get(2)).isEqualTo("CRASHED");
        events.assertThatEvents().haveExactly(1, event(test("c"), finishedWithFailure(
                message(m -> m.contains("the child JVM exited with status 3 before the test finished")))));
    }

    @Test
    void withoutReuseEachTestHasAChildOfItsOwn() {
        List<String> pids = entries(runEngine(Unshared.class), "pid");
        assertThat(pids).hasSize(2).doesNotHaveDuplicates();
    }

    @Test
    void anOomKillEndsOnlyTheTestThatCausedIt() {
        Events events = runEngine(SharedUnderALimit.class);

        events.assertStatistics(s -> s.succeeded(3).failed(0));
        List<String> pids = entries(events, "pid");
        assertThat(pids.get(1)).as("a fresh child after the OOM kill").isNotEqualTo(pids.get(0));
        List<String> outcomes = entries(events, "belljar.outcome");
        assertThat(outcomes).containsExactly("PASSED", "OOM_KILLED", "PASSED");
        List<String> kills = entries(events, "belljar.memory.oomKills");
        assertThat(kills.get(0)).isEqualTo("0");
        assertThat(Long.parseLong(kills.get(1))).as("the kernel may kill more than one process of the child").isPositive();
        assertThat(kills.get(2)).as("the fresh child's count starts anew").isEqualTo("0");
    }

    @Test
    void cpuTimeIsEachTestsOwnAndThePeakIsItsOwnWhereTheKernelCanRestartIt() {
        Events events = runEngine(Accounted.class);

        events.assertStatistics(s -> s.succeeded(2).failed(0));
        List<String> cpu = entries(events, "belljar.cpu.usageNanos");
        long burner = Long.parseLong(cpu.get(0));
        long next = Long.parseLong(cpu.get(1));
        assertThat(burner).as("the burner's CPU time").isGreaterThanOrEqualTo(Accounted.BURN_NANOS);
        assertThat(next).as("the next test's CPU time leaves the burner's out").isLessThan(burner);
        assertThat(Long.parseLong(entries(events, "belljar.cpu.baselineNanos").get(1)))
                .as("the next test's baseline: what its child did before the test itself started, since the test was sent")
                .isBetween(0L, next);
        List<List<Timeline.Sample>> timelines = entries(events, Timeline.FILE_KEY).stream().map(ReuseTest::samples).toList();
        assertThat(timelines).hasSize(2);
        assertThat(timelines.get(0).get(timelines.get(0).size() - 1).millis()).as("the burner's chart spans its burn")
                .isGreaterThanOrEqualTo(BURN_MILLIS);
        assertThat(timelines.get(1)).as("the next test's chart starts at its own start and ends with it").isNotEmpty()
                .allMatch(sample -> sample.millis() < BURN_MILLIS);
        List<String> summaries = entries(events, "belljar.summary");
        if (CgroupManager.ofThisProcess().version() == CgroupVersion.V1) {
            long peak = Long.parseLong(entries(events, "belljar.memory.peakBytes").get(1));
            assertThat(peak).as("the next test's peak leaves the 96 MiB the first test touched out")
                    .isLessThan(Accounted.TOUCHED_BYTES);
            assertThat(summaries.get(1)).doesNotContain("shared child");
        } else {
            assertThat(summaries.get(1)).contains("peak of the shared child");
        }
    }

    private static final String REPORTER = TestReporter.class.getName();

    @Test
    void aSharedChildSetsItsClassUpOnceAndRunsOnlyTheTestsTheTestJvmAsksFor() {
        Events events = EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(SetUpOnce.class, "a", REPORTER), selectMethod(SetUpOnce.class, "c", REPORTER)).execute()
                .testEvents();

        events.assertStatistics(s -> s.succeeded(2).failed(0));
        assertThat(entries(events, "setUps")).as("@BeforeAll, once for the class").containsExactly("1", "1");
        assertThat(entries(events, "ran")).as("b, not asked for, never ran: it would have ended the child")
                .containsExactly("a", "a c");
    }

    @Test
    void testsThatTheChildOrdersOtherwiseRunAllTheSameEachWithItsOwnReport() {
        // Random order: the child's seed is not the test JVM's, so the two orders differ (but for 1 in 720).
        Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(OrderedAtRandom.class))
                .configurationParameter("junit.jupiter.execution.order.random.seed", "42").execute().testEvents();

        events.assertStatistics(s -> s.succeeded(6).failed(0));
        List<String> names = events.succeeded().stream().map(event -> event.getTestDescriptor().getDisplayName())
                .map(name -> name.replace("(TestReporter)", "")).toList();
        assertThat(entries(events, "test")).as("each test's report entry is its own").isEqualTo(names);
        assertThat(entries(events, "belljar.child")).allMatch(child -> child.startsWith("shared by the tests of its class"));
    }

    @Test
    void whereIsolatedIsOnTheMethodsTheirClassesOtherTestsStayOutOfTheSharedChild() {
        Events events = runEngine(SharedByMethods.class);

        events.assertStatistics(s -> s.succeeded(3).failed(0));
        assertThat(entries(events, "pid")).hasSize(2).containsOnly(entries(events, "pid").get(0));
    }

    private static final long BURN_MILLIS = Accounted.BURN_NANOS / 1_000_000;

    /** The samples of a test's chart, from the file its report entry names (removed once read). */
    private static List<Timeline.Sample> samples(String file) {
        Path samples = Configuration.of(key -> Optional.empty()).reportDirectory().resolve(file);
        try {
            List<Timeline.Sample> decoded = Timeline.decode(Files.readString(samples).strip());
            Files.delete(samples);
            return decoded;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Made once per JVM: PIDs repeat, as each child is the same process of its own PID namespace. */
    private static final String JVM_ID = UUID.randomUUID().toString();

    static void publishPid(TestReporter reporter) {
        reporter.publishEntry("pid", JVM_ID);
    }

    @TestMethodOrder(MethodOrderer.MethodName.class)
    @Isolated(reuse = Reuse.CLASS)
    static class Shared {
        static int ran;

        @Test
        void a(TestReporter reporter) {
            publishPid(reporter);
            ran++;
        }

        @Test
        void b(TestReporter reporter) {
            publishPid(reporter);
            assertThat(ran).as("what the test before left in the shared JVM").isEqualTo(1);
        }

        @Test
        void c(TestReporter reporter) {
            publishPid(reporter);
            System.exit(3);
        }

        @Test
        void d(TestReporter reporter) {
            publishPid(reporter);
            assertThat(ran).as("a fresh JVM").isZero();
        }

        @Test
        void e(TestReporter reporter) {
            publishPid(reporter);
        }
    }

    @TestMethodOrder(MethodOrderer.MethodName.class)
    @Isolated(reuse = Reuse.CLASS)
    static class SetUpOnce {
        static int setUps;
        static String ran = "";

        @BeforeAll
        static void setUp() {
            setUps++;
        }

        @Test
        void a(TestReporter reporter) {
            ran(reporter, "a");
        }

        @Test
        void b() {
            System.exit(4);
        }

        @Test
        void c(TestReporter reporter) {
            ran(reporter, "c");
        }

        private static void ran(TestReporter reporter, String test) {
            ran = (ran + " " + test).strip();
            reporter.publishEntry(Map.of("setUps", Integer.toString(setUps), "ran", ran));
        }
    }

    @TestMethodOrder(MethodOrderer.Random.class)
    @Isolated(reuse = Reuse.CLASS)
    static class OrderedAtRandom {
        @Test
        void a(TestReporter reporter) {
            reporter.publishEntry("test", "a");
        }

        @Test
        void b(TestReporter reporter) {
            reporter.publishEntry("test", "b");
        }

        @Test
        void c(TestReporter reporter) {
            reporter.publishEntry("test", "c");
        }

        @Test
        void d(TestReporter reporter) {
            reporter.publishEntry("test", "d");
        }

        @Test
        void e(TestReporter reporter) {
            reporter.publishEntry("test", "e");
        }

        @Test
        void f(TestReporter reporter) {
            reporter.publishEntry("test", "f");
        }
    }

    /** Its plain test would end a shared child it ran in: a class run there would run it unasked. */
    @TestMethodOrder(MethodOrderer.MethodName.class)
    static class SharedByMethods {
        @Test
        @Isolated(reuse = Reuse.CLASS)
        void a(TestReporter reporter) {
            publishPid(reporter);
        }

        @Test
        void b() {
            if (System.getProperty("belljar.child.uniqueId") != null) {
                System.exit(5);
            }
        }

        @Test
        @Isolated(reuse = Reuse.CLASS)
        void c(TestReporter reporter) {
            publishPid(reporter);
        }
    }

    @TestMethodOrder(MethodOrderer.MethodName.class)
    @Isolated
    static class Unshared {
        @Test
        void a(TestReporter reporter) {
            publishPid(reporter);
        }

        @Test
        void b(TestReporter reporter) {
            publishPid(reporter);
        }
    }

    @TestMethodOrder(MethodOrderer.MethodName.class)
    @Isolated(reuse = Reuse.CLASS, memory = "96M")
    static class SharedUnderALimit {
        @Test
        void a(TestReporter reporter) {
            publishPid(reporter);
        }

        @Test
        @Expect(outcome = Outcome.OOM_KILLED)
        void b() {
            touchNativeMemoryUntilOomKilled();
        }

        @Test
        void c(TestReporter reporter) {
            publishPid(reporter);
        }
    }

    @TestMethodOrder(MethodOrderer.MethodName.class)
    @Isolated(reuse = Reuse.CLASS, memory = "256M")
    static class Accounted {
        static final long BURN_NANOS = 500_000_000L;
        static final long TOUCHED_BYTES = 96L << 20;

        @Test
        void a() {
            Memory touched = new Memory(TOUCHED_BYTES);
            touched.clear();
            var threads = ManagementFactory.getThreadMXBean();
            long start = threads.getCurrentThreadCpuTime();
            long spins = 0;
            while (threads.getCurrentThreadCpuTime() - start < BURN_NANOS) {
                spins++;
            }
            assertThat(spins).isPositive();
            touched.close();
        }

        @Test
        void b() {
        }
    }
}
