package dev.belljar.internal.parent;

import dev.belljar.OomKilledError;
import dev.belljar.Outcome;
import dev.belljar.SandboxResult;
import dev.belljar.internal.channel.Messages;
import dev.belljar.internal.channel.RemoteThrowable;
import dev.belljar.internal.child.JvmOutOfMemoryError;
import dev.belljar.linux.cgroup.CgroupStats;
import dev.belljar.spec.Expectation;
import dev.belljar.spec.SandboxSpec;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The parent's judgement of a child from what it reported: the outcome, and what the test ends
 * with as the user reads it. No child runs: every report is built here.
 */
class VerdictTest {

    private static final String DISPLAY_NAME = "importStaysSmall()";
    private static final long MIB = 1L << 20;
    private static final SandboxSpec SPEC = SandboxSpec.builder().memory("64M").build();
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final CgroupStats BASELINE = stats(20 * MIB, 0, 300_000_000L);
    /** What the sandbox used when its test ended, unless a test says otherwise. */
    private static final CgroupStats USED = stats(30 * MIB, 0, 1_200_000_000L);
    /** What every message that describes the usage says of {@link #USED}. */
    private static final String USAGE = "peak memory 30 MiB, CPU time 1.20 s";

    private static CgroupStats stats(long peakBytes, long oomKills, long cpuNanos) {
        return new CgroupStats(peakBytes / 2, OptionalLong.of(peakBytes), oomKills, cpuNanos, cpuNanos - cpuNanos / 4,
                cpuNanos / 4, 0, 0, 0, 5, OptionalLong.of(9), OptionalLong.empty(), OptionalLong.empty(),
                Optional.empty(), Optional.empty(), Optional.empty());
    }

    private static ChildReport report(int exitStatus, boolean orderlyExit, boolean timedOut,
                                      Messages.Finished finished, CgroupStats stats) {
        return new ChildReport(exitStatus, orderlyExit, timedOut, 1_500_000_000L, finished, List.of(), null, List.of(),
                BASELINE, stats, false, "", Map.of(), new byte[0], new byte[0]);
    }

    /** The child ran the test to its end and exited by itself. */
    private static ChildReport finished(Messages.Status status, Throwable failure, CgroupStats stats) {
        Messages.Finished finished = new Messages.Finished(DISPLAY_NAME, status,
                failure == null ? null : RemoteThrowable.of(failure), null);
        return report(0, true, false, finished, stats);
    }

    /** The child ended before it reported the test's end. */
    private static ChildReport died(int exitStatus, boolean orderlyExit, CgroupStats stats) {
        return report(exitStatus, orderlyExit, false, null, stats);
    }

    private static Verdict verdict(ChildReport report) {
        return Verdict.of(SPEC, TIMEOUT, report);
    }

    private static void check(Verdict verdict, Expectation expectation) throws Throwable {
        verdict.check(DISPLAY_NAME, expectation);
    }

    @Test
    void aTestThatPassedPassesWithItsAccounting() {
        Verdict verdict = verdict(finished(Messages.Status.SUCCESSFUL, null, USED));

        SandboxResult result = verdict.result();
        assertThat(result.outcome()).isEqualTo(Outcome.PASSED);
        assertThat(result.exitStatus()).hasValue(0);
        assertThat(result.failure()).isEmpty();
        assertThat(result.memory().limitBytes()).hasValue(64 * MIB);
        assertThat(result.memory().peakBytes()).hasValue(30 * MIB);
        assertThat(result.memory().baselineBytes()).hasValue(BASELINE.memoryCurrentBytes());
        assertThat(result.memory().oomKills()).isZero();
        assertThat(result.cpu().usageNanos()).isEqualTo(1_200_000_000L);
        assertThat(result.cpu().baselineNanos()).hasValue(300_000_000L);
        assertThatCode(() -> check(verdict, Expectation.none())).doesNotThrowAnyException();
    }

    @Test
    void aFailedTestEndsWithTheChildsOwnThrowable() {
        AssertionFailedError thrown = new AssertionFailedError("sizes differ ==> expected: <1> but was: <2>", 1, 2);
        Verdict verdict = verdict(finished(Messages.Status.FAILED, thrown, USED));

        assertThat(verdict.result().outcome()).isEqualTo(Outcome.FAILED);
        assertThat(verdict.result().failure()).hasValueSatisfying(failure ->
                assertThat(failure).isInstanceOf(AssertionFailedError.class).hasMessage(thrown.getMessage()));
        assertThatThrownBy(() -> check(verdict, Expectation.none()))
                .isExactlyInstanceOf(AssertionFailedError.class)
                .hasMessage("sizes differ ==> expected: <1> but was: <2>")
                .satisfies(failure -> {
                    assertThat(((AssertionFailedError) failure).getExpected().getStringRepresentation()).isEqualTo("1");
                    assertThat(((AssertionFailedError) failure).getActual().getStringRepresentation()).isEqualTo("2");
                    assertThat(failure.getStackTrace()).isEqualTo(thrown.getStackTrace());
                });
    }

    @Test
    void aKernelOomKillFailsWithTheNumbers() {
        Verdict verdict = verdict(died(137, false, stats(64 * MIB, 1, 800_000_000L)));

        assertThat(verdict.result().outcome()).isEqualTo(Outcome.OOM_KILLED);
        assertThat(verdict.result().memory().oomKills()).isEqualTo(1);
        assertThatThrownBy(() -> check(verdict, Expectation.none()))
                .isExactlyInstanceOf(OomKilledError.class)
                .hasMessage("the kernel OOM-killed the isolated test: memory limit 64 MiB, peak memory 64 MiB,"
                        + " CPU time 800.0 ms, 1 OOM kill");
    }

    @Test
    void aKernelOomKillCountsEvenWhenTheChildReportedAnEnd() {
        Verdict verdict = verdict(finished(Messages.Status.FAILED, new IllegalStateException("pipe closed"),
                stats(64 * MIB, 2, 800_000_000L)));

        assertThat(verdict.result().outcome()).isEqualTo(Outcome.OOM_KILLED);
        assertThatThrownBy(() -> check(verdict, Expectation.none()))
                .isExactlyInstanceOf(OomKilledError.class)
                .hasMessageEndingWith(", 2 OOM kills");
    }

    @Test
    void runningOutOfJavaHeapIsAFailureNotAnOomKill() {
        Verdict verdict = verdict(finished(Messages.Status.FAILED,
                new JvmOutOfMemoryError(new OutOfMemoryError("Java heap space")), USED));

        assertThat(verdict.result().outcome()).isEqualTo(Outcome.FAILED);
        assertThat(verdict.result().memory().oomKills()).isZero();
        assertThat(verdict.result().failure()).hasValueSatisfying(failure ->
                assertThat(failure).hasMessageContaining("50% of the sandbox's memory limit of 64 MiB"));
        assertThatThrownBy(() -> check(verdict, Expectation.none()))
                .isExactlyInstanceOf(JvmOutOfMemoryError.class)
                .isNotInstanceOf(OomKilledError.class)
                .hasMessageStartingWith("the test ran out of Java heap inside the sandbox"
                        + " (java.lang.OutOfMemoryError: Java heap space): the child's maximum heap is ")
                .hasMessageContaining(", 50% of the sandbox's memory limit of 64 MiB. This is the JVM's own limit,"
                        + " not a kernel OOM kill: declare a larger memory (memory = \"128M\" gives a heap of about 64 MiB)")
                .hasCauseExactlyInstanceOf(OutOfMemoryError.class);
    }

    @Test
    void aThreadRefusedAtThePidsLimitNamesTheLimitAndThePeak() {
        SandboxSpec spec = SandboxSpec.builder().pids(48).build();
        CgroupStats atTheLimit = new CgroupStats(30 * MIB, OptionalLong.of(30 * MIB), 0, 1_200_000_000L, 900_000_000L,
                300_000_000L, 0, 0, 0, 12, OptionalLong.of(48), OptionalLong.empty(), OptionalLong.empty(),
                Optional.empty(), Optional.empty(), Optional.empty());
        Verdict verdict = Verdict.of(spec, TIMEOUT, finished(Messages.Status.FAILED, new JvmOutOfMemoryError(
                new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource"
                        + " limits reached")), atTheLimit));

        assertThat(verdict.result().outcome()).isEqualTo(Outcome.FAILED);
        assertThatThrownBy(() -> check(verdict, Expectation.none()))
                .isExactlyInstanceOf(JvmOutOfMemoryError.class)
                .hasMessage("the test could not create a native thread inside the sandbox (java.lang.OutOfMemoryError:"
                        + " unable to create native thread: possibly out of memory or process/resource limits reached):"
                        + " the sandbox hit its pids limit of 48 processes and threads (peak 48). This is the kernel's"
                        + " pids limit, not the Java heap: declare a larger pids (the JVM and JUnit need a dozen or more"
                        + " threads of their own), or start fewer threads (a bounded pool)")
                .hasCauseExactlyInstanceOf(OutOfMemoryError.class);
    }

    @Test
    void aTimeoutNamesTheTimeoutAndTheUsage() {
        Verdict verdict = verdict(report(137, false, true, null, USED));

        assertThat(verdict.result().outcome()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(verdict.result().exitStatus()).as("the parent killed it: no exit status of its own").isEmpty();
        assertThatThrownBy(() -> check(verdict, Expectation.none()))
                .isExactlyInstanceOf(AssertionFailedError.class)
                .hasMessage("the isolated test timed out after 2s; the sandbox was killed (" + USAGE + ")");
    }

    @Test
    void deathBySignalIsACrashNamingTheSignal() {
        Verdict verdict = verdict(died(128 + 11, false, USED));

        assertThat(verdict.result().outcome()).isEqualTo(Outcome.CRASHED);
        assertThat(verdict.result().exitStatus()).hasValue(139);
        assertThatThrownBy(() -> check(verdict, Expectation.none()))
                .isExactlyInstanceOf(AssertionFailedError.class)
                .hasMessage("the child JVM was killed by signal 11 (SIGSEGV) before the test finished (" + USAGE + ")");
        assertThatThrownBy(() -> check(verdict(died(128 + 6, false, USED)), Expectation.none()))
                .hasMessage("the child JVM was killed by signal 6 (SIGABRT) before the test finished: the JVM crashed"
                        + " (see the hs_err report in its output) (" + USAGE + ")");
    }

    @Test
    void systemExitWithAStatusIsACrashThatSuggestsTheCall() {
        Verdict verdict = verdict(died(3, true, USED));

        assertThat(verdict.result().outcome()).isEqualTo(Outcome.CRASHED);
        assertThat(verdict.result().exitStatus()).hasValue(3);
        assertThatThrownBy(() -> check(verdict, Expectation.none()))
                .isExactlyInstanceOf(AssertionFailedError.class)
                .hasMessage("the child JVM exited with status 3 before the test finished"
                        + " (did the test or its code call System.exit(3)?) (" + USAGE + ")");
    }

    @Test
    void anExpectedOutcomeThatHappenedPasses() {
        Verdict verdict = verdict(died(137, false, stats(64 * MIB, 1, 800_000_000L)));

        assertThatCode(() -> check(verdict, Expectation.none().withOutcome(Outcome.OOM_KILLED)))
                .doesNotThrowAnyException();
    }

    @Test
    void anExpectedOutcomeThatDidNotHappenFailsWithBoth() {
        Verdict verdict = verdict(finished(Messages.Status.SUCCESSFUL, null, USED));

        assertThatThrownBy(() -> check(verdict, Expectation.none().withOutcome(Outcome.OOM_KILLED)))
                .isExactlyInstanceOf(AssertionFailedError.class)
                .hasMessage("expected the isolated test to end OOM_KILLED (the kernel OOM-kills it at 64 MiB)"
                        + " but it ended PASSED (" + verdict.result().summary() + ")")
                .satisfies(failure -> {
                    assertThat(((AssertionFailedError) failure).getExpected().getValue()).isEqualTo(Outcome.OOM_KILLED);
                    assertThat(((AssertionFailedError) failure).getActual().getValue()).isEqualTo(Outcome.PASSED);
                });
        assertThat(verdict.result().summary()).startsWith("PASSED, memory 30 MiB peak of 64 MiB");
    }

    @Test
    void anUnexpectedFailureNamesItsMessageWhenAnotherOutcomeWasExpected() {
        Verdict verdict = verdict(finished(Messages.Status.FAILED, new IllegalStateException("no connection"), USED));

        assertThatThrownBy(() -> check(verdict, Expectation.none().withOutcome(Outcome.OOM_KILLED)))
                .isExactlyInstanceOf(AssertionFailedError.class)
                .hasMessageStartingWith("expected the isolated test to end OOM_KILLED (the kernel OOM-kills it at 64 MiB)"
                        + " but it ended FAILED: no connection (FAILED, ")
                .hasCauseExactlyInstanceOf(IllegalStateException.class);
    }

    @Test
    void anExpectedBoundThatHeldPasses() {
        Verdict verdict = verdict(finished(Messages.Status.SUCCESSFUL, null, USED));

        assertThatCode(() -> check(verdict, Expectation.none().with("peakMemory", "< 48M")))
                .doesNotThrowAnyException();
    }

    @Test
    void anExpectedBoundThatDidNotHoldFailsWithTheValue() {
        Verdict verdict = verdict(finished(Messages.Status.SUCCESSFUL, null, stats(52 * MIB, 0, 1_200_000_000L)));

        assertThat(verdict.result().outcome()).isEqualTo(Outcome.PASSED);
        assertThatThrownBy(() -> check(verdict, Expectation.none().with("peakMemory", "< 48M")))
                .isExactlyInstanceOf(AssertionFailedError.class)
                .hasMessage("the isolated test ended PASSED but did not stay within its expected bound:\n"
                        + "  expected peak memory < 48 MiB but was 52 MiB (limit 64 MiB)");
        assertThatThrownBy(() -> check(verdict, Expectation.none().with("peakMemory", "< 48M").with("cpuTime", "< 1s")))
                .hasMessageStartingWith("the isolated test ended PASSED but did not stay within 2 of its expected bounds:\n  ");
    }

    @Test
    void aChildThatRanAnotherInvocationIsNamed() {
        Verdict verdict = verdict(finished(Messages.Status.SUCCESSFUL, null, USED));

        assertThatThrownBy(() -> verdict.check("importStaysSmall(int)[2]", Expectation.none()))
                .isExactlyInstanceOf(AssertionFailedError.class)
                .hasMessage("the child JVM ran the invocation '" + DISPLAY_NAME + "' but the parent is at"
                        + " 'importStaysSmall(int)[2]': the test's arguments differ between the two JVMs"
                        + " (a non-deterministic argument source?)");
    }
}
