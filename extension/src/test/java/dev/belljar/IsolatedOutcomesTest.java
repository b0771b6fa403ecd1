package dev.belljar;

import com.sun.jna.Memory;
import dev.belljar.internal.Configuration;
import dev.belljar.internal.parent.Timeline;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/** How the outcome of a child's test reaches the JUnit user in the parent. */
class IsolatedOutcomesTest extends KernelTest {

    static Events run(Class<?> cases, String method) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectMethod(cases, method)).execute().testEvents();
    }

    @Test
    void passingTestPassesAndPublishesItsAccounting() {
        Events events = run(Outcomes.class, "passes");
        events.assertThatEvents().haveExactly(1, event(test("passes"), finishedSuccessfully()));
        assertThat(events.reportingEntryPublished().stream()
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow()
                        .getKeyValuePairs())
                .filter(m -> m.containsKey("belljar.outcome")))
                .singleElement()
                .satisfies(entries -> {
                    assertThat(entries).containsEntry("belljar.outcome", "PASSED")
                            .containsEntry("belljar.memory.limitBytes", Long.toString(256L << 20))
                            .containsKeys("belljar.cpu.usageNanos", "belljar.memory.currentBytes", "belljar.summary");
                    assertThat(Long.parseLong(entries.get("belljar.cpu.usageNanos"))).isPositive();
                });
    }

    @Test
    void failedAssertEqualsArrivesWithExpectedAndActual() {
        run(Outcomes.class, "failsAssertEquals").assertThatEvents().haveExactly(1, event(test("failsAssertEquals"),
                finishedWithFailure(instanceOf(AssertionFailedError.class), message(m -> m.contains("expected: <4> but was: <5>")))));
        Throwable thrown = run(Outcomes.class, "failsAssertEquals").failed().stream().findFirst().orElseThrow()
                .getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        AssertionFailedError failure = (AssertionFailedError) thrown;
        assertThat(failure.getExpected().getValue()).isEqualTo(4);
        assertThat(failure.getActual().getValue()).isEqualTo(5);
        assertThat(failure.getStackTrace()).anyMatch(frame -> frame.getMethodName().equals("failsAssertEquals"));
    }

    @Test
    void exceptionKeepsClassMessageCauseAndSuppressed() {
        Throwable thrown = run(Outcomes.class, "throwsWithCause").failed().stream().findFirst().orElseThrow()
                .getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        assertThat(thrown).isExactlyInstanceOf(IllegalStateException.class).hasMessage("outer")
                .hasCauseExactlyInstanceOf(UncheckedIOException.class);
        assertThat(thrown.getSuppressed()).singleElement().satisfies(s -> assertThat(s).hasMessage("suppressed"));
    }

    @Test
    void helpfulNullPointerMessageSurvives() {
        run(Outcomes.class, "dereferencesNull").assertThatEvents().haveExactly(1, event(test("dereferencesNull"),
                finishedWithFailure(instanceOf(NullPointerException.class), message(m -> m.contains("\"text\" is null")))));
    }

    @Test
    void assumptionAbortsTheTest() {
        run(Outcomes.class, "assumesFalse").assertThatEvents().haveExactly(1, event(test("assumesFalse"),
                abortedWithReason(instanceOf(TestAbortedException.class), message(m -> m.contains("not on this host")))));
    }

    @Test
    void kernelOomKillFailsWithOomKilledErrorAndItsNumbers() {
        run(Outcomes.class, "exhaustsNativeMemory").assertThatEvents().haveExactly(1, event(test("exhaustsNativeMemory"),
                finishedWithFailure(instanceOf(OomKilledError.class),
                        message(m -> m.contains("memory limit 64 MiB") && m.contains("peak memory")
                                && m.matches("(?s).*, [1-9]\\d* OOM kills?\\b.*")))));
    }

    @Test
    void timelineMarksTheOomKill() {
        Events events = run(Outcomes.class, "exhaustsNativeMemory");
        assertThat(events.reportingEntryPublished().stream()
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow()
                        .getKeyValuePairs().get("belljar.timelineFile"))
                .filter(Objects::nonNull))
                .singleElement().satisfies(file -> {
                    Path samples = Configuration.of(key -> Optional.empty()).reportDirectory().resolve(file);
                    assertThat(Timeline.decode(Files.readString(samples).strip())).anyMatch(sample -> sample.oomKills() > 0);
                    Files.delete(samples);
                });
    }

    @Test
    void expectedOomKillPasses() {
        run(Outcomes.class, "expectedToBeKilled").assertThatEvents()
                .haveExactly(1, event(test("expectedToBeKilled"), finishedSuccessfully()));
    }

    @Test
    void expectedOomKillThatDoesNotHappenFails() {
        run(Outcomes.class, "expectedToBeKilledButIsSmall").assertThatEvents().haveExactly(1,
                event(test("expectedToBeKilledButIsSmall"), finishedWithFailure(
                        message(m -> m.startsWith("expected the isolated test to end OOM_KILLED (the kernel OOM-kills it"
                                + " at 128 MiB) but it ended PASSED") && m.contains("peak of 128 MiB")))));
    }

    @Test
    void heapOutOfMemoryIsReportedDistinctly() {
        run(Outcomes.class, "exhaustsHeap").assertThatEvents().haveExactly(1, event(test("exhaustsHeap"),
                finishedWithFailure(instanceOf(AssertionError.class), message(m -> m.matches(
                        "the test ran out of Java heap inside the sandbox \\(java.lang.OutOfMemoryError: Java heap space\\):"
                                + " the child's maximum heap is [0-9.]+ MiB, 50% of the sandbox's memory limit of 64 MiB\\."
                                + " This is the JVM's own limit, not a kernel OOM kill: declare a larger memory"
                                + " \\(memory = \"128M\" gives a heap of about 64 MiB\\), or keep less on the heap")))));
    }

    @Test
    void directBufferMemoryIsNamedWithItsCap() {
        run(Outcomes.class, "exhaustsDirectMemory").assertThatEvents().haveExactly(1, event(test("exhaustsDirectMemory"),
                finishedWithFailure(instanceOf(AssertionError.class), message(m -> m.startsWith(
                        "the test ran out of direct buffer memory inside the sandbox (java.lang.OutOfMemoryError: ")
                        && m.matches("(?s).*\\): direct buffers \\(ByteBuffer.allocateDirect\\) may take [0-9.]+ MiB in all:"
                                + " the JVM caps them at its maximum heap unless -XX:MaxDirectMemorySize sets the cap, and"
                                + " the heap is 50% of the sandbox's memory limit of 128 MiB\\. This is the JVM's own"
                                + " limit, not a kernel OOM kill: release direct buffers no longer used \\(or reuse them\\),"
                                + " or declare a larger memory \\(memory = \"256M\" raises the cap to about 128 MiB\\)")))));
    }

    @Test
    void aThreadRefusedAtThePidsLimitNamesThePidsLimit() {
        Events events = run(Outcomes.class, "startsThreadsUntilRefused");
        String headline = "the test could not create a native thread inside the sandbox (java.lang.OutOfMemoryError:"
                + " unable to create native thread: possibly out of memory or process/resource limits reached): ";
        String advice = "declare a larger pids (the JVM and JUnit need a dozen or more threads of their own), or start"
                + " fewer threads (a bounded pool)";
        boolean kernelKeepsAPeak = events.reportingEntryPublished().stream()
                .anyMatch(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs().containsKey("belljar.pids.peak"));
        events.assertThatEvents().haveExactly(1, event(test("startsThreadsUntilRefused"),
                finishedWithFailure(instanceOf(AssertionError.class), message(kernelKeepsAPeak
                        ? headline + "the sandbox hit its pids limit of 48 processes and threads (peak 48). This is the"
                                + " kernel's pids limit, not the Java heap: " + advice
                        : headline + "the sandbox has a pids limit of 48 processes and threads, and this kernel keeps no"
                                + " pids peak to tell whether the sandbox reached it; if it did not, memory for the thread's"
                                + " stack or another limit (ulimit -u, kernel.threads-max) refused the thread. This is not"
                                + " the Java heap: " + advice))));
    }

    @Test
    void anyOtherOutOfMemoryErrorIsNamedAsTheJvmNamedIt() {
        run(Outcomes.class, "requestsAnArrayLargerThanTheJvmAllows").assertThatEvents().haveExactly(1,
                event(test("requestsAnArrayLargerThanTheJvmAllows"), finishedWithFailure(instanceOf(AssertionError.class),
                        message(m -> m.matches("the test's JVM threw an OutOfMemoryError inside the sandbox"
                                + " \\(java.lang.OutOfMemoryError: Requested array size exceeds VM limit\\): the JVM's own"
                                + " error, not a kernel OOM kill \\(the child's maximum heap is [0-9.]+ MiB\\)")))));
    }

    @Test
    void timeoutKillsTheSandbox() {
        run(Outcomes.class, "sleepsForever").assertThatEvents().haveExactly(1, event(test("sleepsForever"),
                finishedWithFailure(message(m -> m.startsWith("the isolated test timed out after 2s")))));
    }

    @Test
    void systemExitIsNamed() {
        run(Outcomes.class, "exits").assertThatEvents().haveExactly(1, event(test("exits"),
                finishedWithFailure(message(m -> m.contains("exited with status 3") && m.contains("System.exit(3)")))));
    }

    @Test
    void deathBySignalIsNamed() {
        run(Outcomes.class, "killedBySignal").assertThatEvents().haveExactly(1, event(test("killedBySignal"),
                finishedWithFailure(message(m -> m.contains("killed by signal 9 (SIGKILL)")))));
    }

    @Test
    void testFactoryIsRejectedNamingTheMethod() {
        EngineTestKit.engine("junit-jupiter").selectors(selectMethod(Outcomes.class, "dynamicTests")).execute()
                .containerEvents().assertThatEvents().haveExactly(1, event(finishedWithFailure(
                        message(m -> m.contains("@TestFactory method") && m.contains("Outcomes.dynamicTests()")))));
    }

    @Test
    void invalidSizeFailsNamingTheAnnotationAndValue() {
        run(Outcomes.class, "badSize").assertThatEvents().haveExactly(1, event(test("badSize"),
                finishedWithFailure(message(m -> m.contains("@Isolated on dev.belljar.IsolatedOutcomesTest$Outcomes.badSize()")
                        && m.contains("memory = \"64Q\" is not a size")))));
    }

    /** "1.5" was taken as 2 bytes: a sandbox started and was OOM-killed. Now nothing starts. */
    @Test
    void aFractionOfAByteIsRefusedBeforeAnythingRuns() {
        Events events = run(Outcomes.class, "fractionOfAByte");
        events.assertThatEvents().haveExactly(1, event(test("fractionOfAByte"), finishedWithFailure(message(
                "@Isolated on dev.belljar.IsolatedOutcomesTest$Outcomes.fractionOfAByte(): memory = \"1.5\" is not a size:"
                        + " a size without a unit is a whole number of bytes; use e.g. 1536K, 1.5M or 64M"))));
        assertThat(events.reportingEntryPublished().stream().map(e -> e.getPayload(ReportEntry.class).orElseThrow()
                .getKeyValuePairs())).as("nothing ran: the error alone is reported, without accounting")
                .singleElement().satisfies(entries -> assertThat(entries).containsEntry("belljar.outcome", "ERROR")
                        .doesNotContainKey("belljar.memory.currentBytes"));
    }

    @Test
    void aNegativeUptimeHintsWithValuesUptimeTakes() {
        run(Outcomes.class, "negativeUptime").assertThatEvents().haveExactly(1, event(test("negativeUptime"),
                finishedWithFailure(message("@Isolated on dev.belljar.IsolatedOutcomesTest$Outcomes.negativeUptime():"
                        + " uptime = \"-5s\" is out of range: a duration is not negative; use e.g. 30d or 3600s"))));
    }

    @Test
    void aHugeSizeIsRefused() {
        run(Outcomes.class, "hugeMemory").assertThatEvents().haveExactly(1, event(test("hugeMemory"),
                finishedWithFailure(message("@Isolated on dev.belljar.IsolatedOutcomesTest$Outcomes.hugeMemory():"
                        + " memory = \"99999999999999G\" is too large: a size is at most 8388607T (8 EiB)"))));
    }

    static class Outcomes {
        @Test
        @Isolated(memory = "1.5")
        void fractionOfAByte() {
        }

        @Test
        @Isolated(uptime = "-5s")
        void negativeUptime() {
        }

        @Test
        @Isolated(memory = "99999999999999G")
        void hugeMemory() {
        }

        @Test
        @Isolated(memory = "256M")
        void passes() {
            System.out.println("hello from the child");
        }

        @Test
        @Isolated
        void failsAssertEquals() {
            assertEquals(4, 2 + 3);
        }

        @Test
        @Isolated
        void throwsWithCause() {
            IllegalStateException e = new IllegalStateException("outer",
                    new UncheckedIOException(new IOException("inner")));
            e.addSuppressed(new RuntimeException("suppressed"));
            throw e;
        }

        @Test
        @Isolated
        void dereferencesNull() {
            String text = System.getProperty("belljar.no.such.property");
            text.length();
        }

        @Test
        @Isolated
        void assumesFalse() {
            assumeTrue(false, "not on this host");
        }

        @Test
        @Isolated(memory = "64M")
        void exhaustsNativeMemory() {
            touchNativeMemory();
        }

        @Test
        @Isolated(memory = "64M")
        @Expect(outcome = Outcome.OOM_KILLED)
        void expectedToBeKilled() {
            touchNativeMemory();
        }

        @Test
        @Isolated(memory = "128M")
        @Expect(outcome = Outcome.OOM_KILLED)
        void expectedToBeKilledButIsSmall() {
        }

        @Test
        @Isolated(memory = "64M")
        void exhaustsHeap() {
            List<long[]> hoard = new ArrayList<>();
            while (true) {
                hoard.add(new long[1 << 16]);
            }
        }

        /** Direct buffers, kept: the JVM's cap on them (its maximum heap) stops them before the kernel's limit. */
        @Test
        @Isolated(memory = "128M")
        void exhaustsDirectMemory() {
            List<ByteBuffer> kept = new ArrayList<>();
            while (true) {
                kept.add(ByteBuffer.allocateDirect(1 << 20));
            }
        }

        /** Threads that never end, until the kernel refuses one: the JVM and JUnit already hold some of the 48. */
        @Test
        @Isolated(pids = 48)
        void startsThreadsUntilRefused() {
            CountDownLatch never = new CountDownLatch(1);
            while (true) {
                Thread sleeper = new Thread(() -> awaitQuietly(never));
                sleeper.setDaemon(true);
                sleeper.start();
            }
        }

        @Test
        @Isolated(memory = "64M")
        void requestsAnArrayLargerThanTheJvmAllows() {
            long[] huge = new long[Integer.MAX_VALUE];
            assertEquals(Integer.MAX_VALUE, huge.length);
        }

        @Test
        @Isolated(timeout = "2s")
        void sleepsForever() throws InterruptedException {
            Thread.sleep(600_000);
        }

        @Test
        @Isolated
        void exits() {
            System.exit(3);
        }

        @Test
        @Isolated
        void killedBySignal() throws Exception {
            new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start().waitFor();
            Thread.sleep(10_000);
        }

        @TestFactory
        @Isolated
        List<DynamicTest> dynamicTests() {
            return List.of();
        }

        @Test
        @Isolated(memory = "64Q")
        void badSize() {
        }

        private static void awaitQuietly(CountDownLatch latch) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Native memory the JVM's heap limit does not see: only the kernel's limit stops it. */
        private static void touchNativeMemory() {
            List<Memory> blocks = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                Memory block = new Memory(8 << 20);
                block.clear();
                blocks.add(block);
            }
        }
    }
}
