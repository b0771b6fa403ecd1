package dev.belljar;

import org.assertj.core.api.Condition;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/**
 * A soak: many isolated tests, every way a test can end one after another, then a count of what
 * they left on the host. Each invocation is its own EngineTestKit run of one test method, of a
 * {@link Kind} taken round robin, and must end as its kind says. Afterwards no process,
 * cgroup, work dir, mount or file descriptor of the sandboxes may be left.
 *
 * <p>Tagged {@code soak}, which the build leaves out unless asked:
 * {@code mvn test -pl native-bridge,extension -Dbelljar.test.groups=soak} runs it alone, and
 * {@code -Dbelljar.soak.invocations=N} sets how many invocations (1000 by default; CI runs 60).
 * It prints the throughput and the outcomes' counts; it asserts nothing about time.
 */
@Tag("soak")
@ExtendWith(BelljarExtension.class)
class SoakTest {
    static final String INVOCATIONS_PROPERTY_NAME = "belljar.soak.invocations";
    static final int DEFAULT_INVOCATIONS = 1000;
    /**
     * This JVM's pid while the soak runs: children get it with the forwarded system properties and
     * put it in the environment of the processes they start, so that one found anywhere on the host
     * can be told to be ours.
     */
    static final String PARENT_PROPERTY_NAME = "belljar.soak.parent";
    static final String PARENT_VARIABLE = "BELLJAR_SOAK_PARENT";
    static final int OUTPUT_BYTES = 50 << 20;

    /**
     * The ways an invocation can end, each a test method, and how the parent must see it end. The
     * endings {@link IsolatedOutcomesTest} checks one at a time are its own cases; {@link Cases}
     * adds the ones that load the sandbox's clean-up.
     */
    enum Kind {
        PASSES(IsolatedOutcomesTest.Outcomes.class, "passes", Outcome.PASSED, finishedSuccessfully()),
        FAILS_AN_ASSERTION(IsolatedOutcomesTest.Outcomes.class, "failsAssertEquals", Outcome.FAILED, finishedWithFailure(
                instanceOf(AssertionFailedError.class), message(m -> m.contains("expected: <4> but was: <5>")))),
        ABORTS(IsolatedOutcomesTest.Outcomes.class, "assumesFalse", Outcome.ABORTED, abortedWithReason(
                instanceOf(TestAbortedException.class), message(m -> m.contains("not on this host")))),
        KERNEL_OOM_KILL(IsolatedOutcomesTest.Outcomes.class, "expectedToBeKilled", Outcome.OOM_KILLED,
                finishedSuccessfully()),
        HEAP_OUT_OF_MEMORY(IsolatedOutcomesTest.Outcomes.class, "exhaustsHeap", Outcome.FAILED, finishedWithFailure(
                message(m -> m.contains("ran out of Java heap") && m.contains("not a kernel OOM kill")))),
        TIMES_OUT(Cases.class, "sleepsPastTheTimeout", Outcome.TIMED_OUT, finishedSuccessfully()),
        EXITS(IsolatedOutcomesTest.Outcomes.class, "exits", Outcome.CRASHED, finishedWithFailure(
                message(m -> m.contains("exited with status 3")))),
        KILLS_ITSELF(IsolatedOutcomesTest.Outcomes.class, "killedBySignal", Outcome.CRASHED, finishedWithFailure(
                message(m -> m.contains("killed by signal 9 (SIGKILL)")))),
        FORK_BOMB(Cases.class, "forksSleepsUntilThePidsLimit", Outcome.PASSED, finishedSuccessfully()),
        PRINTS_50_MB(Cases.class, "prints50MegabytesToStdout", Outcome.PASSED, finishedSuccessfully()),
        LEAVES_A_SLEEP(Cases.class, "leavesASleepBehind", Outcome.PASSED, finishedSuccessfully()),
        LEAVES_A_SLEEP_WITHOUT_PID_NAMESPACE(Cases.class, "leavesASleepBehindWithoutAPidNamespace", Outcome.PASSED,
                finishedSuccessfully());

        final Class<?> cases;
        final String method;
        final Outcome outcome;
        final Condition<Event> ending;

        Kind(Class<?> cases, String method, Outcome outcome, Condition<Event> ending) {
            this.cases = cases;
            this.method = method;
            this.outcome = outcome;
            this.ending = ending;
        }
    }

    @BeforeAll
    static void requireSandboxes() {
        KernelTest.requireSandboxes();
    }

    @Test
    void mixedInvocationsEndAsExpectedAndLeaveNothingBehind() throws IOException {
        int invocations = Integer.getInteger(INVOCATIONS_PROPERTY_NAME, DEFAULT_INVOCATIONS);
        // A rootless sandbox always has its own PID namespace: pid = false aborts there (IsolationInsideTest checks it).
        Kind[] kinds = Arrays.stream(Kind.values())
                .filter(kind -> !(KernelTest.rootless() && kind == Kind.LEAVES_A_SLEEP_WITHOUT_PID_NAMESPACE))
                .toArray(Kind[]::new);
        Leftovers leftovers = Leftovers.ofThisJvm();
        List<String> mountsBefore = Leftovers.mounts();
        // Descriptors are compared from the end of the first round (one invocation of each kind) on:
        // the JVM opens some files on first use and keeps them open. Measured on JDK 17: /dev/random
        // and /dev/urandom, which NativePRNG opens for the first SecureRandom and never closes; nothing
        // else. The start's count is printed next to it, so that a change there shows.
        TreeMap<Integer, String> descriptorsAtStart = Leftovers.descriptors();
        TreeMap<Integer, String> descriptorsAfterFirstRound = null;
        Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
        List<String> unexpected = new ArrayList<>();

        PrintStream console = System.out;
        PrintStream consoleErrors = System.err;
        CountingOutputStream childOutput = new CountingOutputStream();
        String parent = Long.toString(ProcessHandle.current().pid());
        System.setProperty(PARENT_PROPERTY_NAME, parent);
        // The children's output, replayed by the parent (50 MB a time), is counted, not kept
        System.setOut(new PrintStream(childOutput, false));
        System.setErr(new PrintStream(new CountingOutputStream(), false));
        long start = System.nanoTime();
        try {
            for (int i = 0; i < invocations; i++) {
                if (i == kinds.length) {
                    descriptorsAfterFirstRound = Leftovers.descriptors();
                }
                Kind kind = kinds[i % kinds.length];
                long printedBefore = childOutput.count();
                String failure = invoke(kind, outcomes);
                if (failure == null && kind == Kind.PRINTS_50_MB && childOutput.count() - printedBefore < OUTPUT_BYTES) {
                    failure = "its child printed " + OUTPUT_BYTES + " bytes, the parent replayed "
                            + (childOutput.count() - printedBefore);
                }
                if (failure != null) {
                    unexpected.add("#" + i + " " + kind + ": " + failure);
                }
            }
        } finally {
            System.setOut(console);
            System.setErr(consoleErrors);
            System.clearProperty(PARENT_PROPERTY_NAME);
        }
        double minutes = (System.nanoTime() - start) / 60e9;
        TreeMap<Integer, String> baseline = descriptorsAfterFirstRound != null ? descriptorsAfterFirstRound
                : Leftovers.descriptors();

        List<String> mountsAfter = Leftovers.mounts();
        TreeMap<Integer, String> descriptorsAfter = Leftovers.descriptors();
        console.printf("Belljar soak: %d isolated invocations in %.1f min, %.1f per minute%n",
                invocations, minutes, invocations / minutes);
        console.println("  outcomes: " + outcomes.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", ")));
        console.println("  descriptors: " + descriptorsAtStart.size() + " at the start, " + baseline.size()
                + " after the first round (opened once by the JVM: " + added(descriptorsAtStart, baseline)
                + "), " + descriptorsAfter.size() + " at the end");
        SoftAssertions.assertSoftly(soft -> {
            soft.assertThat(unexpected).as("invocations that did not end as their kind must").isEmpty();
            soft.assertThat(leftovers.descendants()).as("children and descendants of this JVM").isEmpty();
            soft.assertThat(leftovers.processesInSandboxCgroups()).as("processes in belljar-%s-* cgroups", parent).isEmpty();
            soft.assertThat(leftovers.processesWithEnvironment(PARENT_VARIABLE + "=" + parent))
                    .as("processes started by the isolated tests (%s=%s in their environment)", PARENT_VARIABLE, parent)
                    .isEmpty();
            try {
                soft.assertThat(leftovers.sandboxCgroups()).as("belljar-%s-* cgroups beneath %s", parent,
                        leftovers.ownCgroups()).isEmpty();
                soft.assertThat(leftovers.workDirs()).as("belljar-%s-* work dirs", parent).isEmpty();
            } catch (IOException e) {
                soft.fail("cannot look for cgroups and work dirs", e);
            }
            soft.assertThat(mountsAfter.size()).as("mounts of this JVM before and after: added %s, removed %s",
                    added(mountsBefore, mountsAfter), added(mountsAfter, mountsBefore)).isEqualTo(mountsBefore.size());
            soft.assertThat(descriptorsAfter.size()).as("file descriptors of this JVM after the first round and at the end:"
                            + " opened %s, closed %s", added(baseline, descriptorsAfter),
                    added(descriptorsAfter, baseline)).isEqualTo(baseline.size());
        });
    }

    /**
     * The counts of what is left see what a live sandbox holds: a count that looks in the wrong
     * place would find nothing after any soak.
     */
    @Test
    void leftoverCountsSeeALiveSandbox(Sandbox sandbox) throws Exception {
        Leftovers leftovers = Leftovers.ofThisJvm();
        String parent = Long.toString(ProcessHandle.current().pid());
        System.setProperty(PARENT_PROPERTY_NAME, parent);
        try (SandboxProcess sleeper = sandbox.start(SoakTest::startsASleepAndWaits)) {
            await().atMost(Duration.ofMinutes(2)).until(() -> sleeper.stdout().contains("started"));
            assertThat(leftovers.processesWithEnvironment(PARENT_VARIABLE + "=" + parent)).hasSize(1);
            assertThat(leftovers.processesInSandboxCgroups()).anyMatch(process -> process.endsWith(" sleep 600"));
            assertThat(leftovers.descendants()).isNotEmpty();
            assertThat(leftovers.sandboxCgroups()).isNotEmpty();
            assertThat(leftovers.workDirs()).hasSize(1);
        } finally {
            System.clearProperty(PARENT_PROPERTY_NAME);
        }
    }

    static void startsASleepAndWaits() throws Exception {
        Cases.sleep600();
        System.out.println("started");
        Thread.sleep(600_000);
    }

    /** Runs one invocation of {@code kind} and counts its outcome; what was unexpected about it, or null. */
    private static String invoke(Kind kind, Map<Outcome, Integer> outcomes) {
        Events events = EngineTestKit.engine("junit-jupiter").selectors(selectMethod(kind.cases, kind.method))
                .execute().testEvents();
        List<String> reported = events.reportingEntryPublished().stream()
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs().get("belljar.outcome"))
                .filter(Objects::nonNull).toList();
        reported.forEach(outcome -> outcomes.merge(Outcome.valueOf(outcome), 1, Integer::sum));
        try {
            assertThat(reported).as("the outcome Belljar reported").containsExactly(kind.outcome.name());
            events.assertThatEvents().haveExactly(1, event(test(kind.method), kind.ending));
            return null;
        } catch (AssertionError e) {
            return e.getMessage();
        }
    }

    private static List<String> added(List<String> before, List<String> after) {
        List<String> added = new ArrayList<>(after);
        before.forEach(added::remove);
        return added;
    }

    private static List<String> added(TreeMap<Integer, String> before, TreeMap<Integer, String> after) {
        return added(List.copyOf(before.values()), List.copyOf(after.values()));
    }

    /** Counts what is written to it and keeps none of it. */
    private static final class CountingOutputStream extends OutputStream {
        private long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }

        long count() {
            return count;
        }
    }

    /** The soak's own isolated tests: a short timeout, and the kinds that leave work to the clean-up. */
    static class Cases {
        @Test
        @Isolated(timeout = "1s")
        @Expect(outcome = Outcome.TIMED_OUT)
        void sleepsPastTheTimeout() throws InterruptedException {
            Thread.sleep(600_000);
        }

        /** Starts {@code sleep 600} until the kernel refuses a fork; the test ends with them running. */
        @Test
        @Isolated(pids = 48)
        void forksSleepsUntilThePidsLimit() {
            List<Process> sleeps = new ArrayList<>();
            Throwable refused = null;
            while (refused == null && sleeps.size() < 1000) {
                try {
                    sleeps.add(sleep600());
                } catch (IOException | OutOfMemoryError e) {
                    refused = e;
                }
            }
            assertThat(refused).as("what refused the fork after %d sleeps", sleeps.size()).isNotNull();
            assertThat(sleeps).hasSizeLessThan(48);
        }

        @Test
        @Isolated
        void prints50MegabytesToStdout() {
            char[] line = new char[1023];
            Arrays.fill(line, 'x');
            String text = new String(line);
            for (int i = 0; i < OUTPUT_BYTES / 1024; i++) {
                System.out.println(text);
            }
        }

        @Test
        @Isolated
        void leavesASleepBehind() throws IOException {
            assertThat(sleep600().isAlive()).isTrue();
        }

        @Test
        @Isolated(pid = false)
        void leavesASleepBehindWithoutAPidNamespace() throws IOException {
            assertThat(sleep600().isAlive()).isTrue();
        }

        private static Process sleep600() throws IOException {
            ProcessBuilder sleep = new ProcessBuilder("sleep", "600");
            sleep.environment().put(PARENT_VARIABLE, System.getProperty(PARENT_PROPERTY_NAME, "unknown"));
            return sleep.start();
        }
    }
}
