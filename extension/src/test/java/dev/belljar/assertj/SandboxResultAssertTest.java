package dev.belljar.assertj;

import dev.belljar.Outcome;
import dev.belljar.SandboxResult;
import dev.belljar.spec.SpecException;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.util.OptionalInt;
import java.util.OptionalLong;

import static dev.belljar.assertj.BelljarAssertions.assertThat;
import static dev.belljar.assertj.SandboxResults.ended;
import static dev.belljar.assertj.SandboxResults.message;
import static dev.belljar.assertj.SandboxResults.passed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SandboxResultAssertTest {
    private static final SandboxResult OOM_KILLED = SandboxResults.result(Outcome.OOM_KILLED, OptionalInt.of(137),
            520 * SandboxResults.MS, new SandboxResult.Memory(OptionalLong.of(64 * SandboxResults.MIB),
            OptionalLong.of(64 * SandboxResults.MIB), 0, OptionalLong.of(30 * SandboxResults.MIB), 1, OptionalLong.empty(), false),
            SandboxResults.CPU, SandboxResults.PIDS, SandboxResults.IO);

    @Test
    void passesOnTheOutcomeItHas() {
        assertThat(passed()).succeeded().hasOutcome(Outcome.PASSED).wasNotOomKilled().exitedWith(0);
        assertThat(OOM_KILLED).wasOomKilled().hasOutcome(Outcome.OOM_KILLED);
        assertThat(ended(Outcome.TIMED_OUT, OptionalInt.empty())).timedOut();
    }

    @Test
    void succeededShowsTheActualOutcomeAndTheAccounting() {
        assertThatThrownBy(() -> assertThat(OOM_KILLED).succeeded())
                .isInstanceOfSatisfying(AssertionFailedError.class, e -> {
                    assertThat(e.getExpected().getValue()).isEqualTo(Outcome.PASSED);
                    assertThat(e.getActual().getValue()).isEqualTo(Outcome.OOM_KILLED);
                })
                .hasMessage(message(
                        "Expecting the sandbox to end:",
                        "  PASSED",
                        "but it ended:",
                        "  OOM_KILLED, memory 64 MiB peak of 64 MiB (JVM baseline 30 MiB), 1 OOM kill, CPU 1.20 s at 0.5 cores"
                                + " (throttled 340.0 ms in 12 periods), wall 520.0 ms, exit status 137"));
    }

    @Test
    void outcomeAssertionsFailOnAnyOtherOutcome() {
        assertThatThrownBy(() -> assertThat(passed()).hasOutcome(Outcome.CRASHED))
                .hasMessageStartingWith(message("Expecting the sandbox to end:", "  CRASHED", "but it ended:",
                        "  PASSED, memory 52.3 MiB peak of 64 MiB (JVM baseline 30 MiB), CPU"));
        assertThatThrownBy(() -> assertThat(passed()).wasOomKilled())
                .hasMessageStartingWith(message("Expecting the sandbox to end:", "  OOM_KILLED", "but it ended:", "  PASSED"));
        assertThatThrownBy(() -> assertThat(passed()).timedOut())
                .hasMessageStartingWith(message("Expecting the sandbox to end:", "  TIMED_OUT", "but it ended:", "  PASSED"));
    }

    @Test
    void wasNotOomKilledFailsOnAnyOomKill() {
        assertThatThrownBy(() -> assertThat(OOM_KILLED).wasNotOomKilled())
                .hasMessageStartingWith(message("Expecting the kernel's OOM killer to have killed no process of the sandbox",
                        "but it ended:", "  OOM_KILLED, memory 64 MiB peak of 64 MiB (JVM baseline 30 MiB), 1 OOM kill,"));
        // a sandbox that timed out can still have lost a process to the OOM killer
        SandboxResult timedOut = SandboxResults.result(Outcome.TIMED_OUT, OptionalInt.empty(), 0, OOM_KILLED.memory(),
                SandboxResults.CPU, SandboxResults.PIDS, SandboxResults.IO);
        assertThatThrownBy(() -> assertThat(timedOut).wasNotOomKilled())
                .hasMessageContaining("but it ended:" + System.lineSeparator() + "  TIMED_OUT, memory 64 MiB peak of 64 MiB (JVM baseline 30 MiB), 1 OOM kill,");
    }

    @Test
    void exitedWithComparesTheStatusAndNamesASignal() {
        assertThat(OOM_KILLED).exitedWith(137);
        assertThatThrownBy(() -> assertThat(OOM_KILLED).exitedWith(0))
                .isInstanceOfSatisfying(AssertionFailedError.class, e -> {
                    assertThat(e.getExpected().getValue()).isEqualTo(0);
                    assertThat(e.getActual().getValue()).isEqualTo(137);
                })
                .hasMessageStartingWith(message("Expecting the sandbox to exit with status:", "  0",
                        "but it exited with:", "  137 (killed by signal 9)", "after:", "  OOM_KILLED, memory 64 MiB peak of 64 MiB"));
    }

    @Test
    void exitedWithFailsWhenTheSandboxWasKilledAtItsTimeout() {
        assertThatThrownBy(() -> assertThat(ended(Outcome.TIMED_OUT, OptionalInt.empty())).exitedWith(0))
                .hasMessageStartingWith(message("Expecting the sandbox to exit with status:", "  0",
                        "but it has no exit status (a sandbox killed at its timeout has none):",
                        "  TIMED_OUT, memory 52.3 MiB peak of 64 MiB (JVM baseline 30 MiB), CPU 1.20 s at 0.5 cores"
                                + " (throttled 340.0 ms in 12 periods), wall 1.50 s"));
    }

    @Test
    void wallTimeIsBelowComparesWithADuration() {
        assertThat(passed()).wallTimeIsBelow("2s");
        assertThatThrownBy(() -> assertThat(passed()).wallTimeIsBelow("1500ms"))
                .hasMessage(message("Expecting the sandbox's wall time to be below:", "  1.50 s", "but was:", "  1.50 s"));
    }

    @Test
    void aSummaryWithoutAPeakSaysItIsNotReported() {
        SandboxResult noPeak = SandboxResults.result(Outcome.FAILED, OptionalInt.of(1), 0, new SandboxResult.Memory(
                OptionalLong.empty(), OptionalLong.empty(), 0, OptionalLong.empty(), 0, OptionalLong.empty(), false),
                SandboxResults.CPU, SandboxResults.PIDS, SandboxResults.IO);
        assertThatThrownBy(() -> assertThat(noPeak).succeeded())
                .hasMessageEndingWith("  FAILED, memory peak unknown, CPU 1.20 s at 0.5 cores (throttled 340.0 ms in 12 periods),"
                        + " wall 0.0 us, exit status 1");
    }

    @Test
    void chainsThroughEveryGroupAndBack() {
        assertThat(passed()).succeeded()
                .memory().peakIsBelow("64M").testShareIsBelow("32M")
                .and().cpu().wasThrottled().timeIsBelow("2s")
                .and().pids().peakIsAtMost(64)
                .and().io().wroteAtLeast("10M")
                .and().exitedWith(0);
    }

    @Test
    void aDescriptionNamesTheFailuresOfEveryGroup() {
        assertThatThrownBy(() -> assertThat(passed()).as("cache fill").memory().peakIsBelow("48M"))
                .hasMessageStartingWith("[cache fill] " + message("Expecting the sandbox's peak memory"));
    }

    @Test
    void aNullResultFailsEveryAssertion() {
        assertThatThrownBy(() -> assertThat((SandboxResult) null).succeeded()).hasMessageContaining("Expecting actual not to be null");
        assertThatThrownBy(() -> assertThat((SandboxResult) null).memory()).hasMessageContaining("Expecting actual not to be null");
    }

    @Test
    void aMalformedArgumentSaysWhatIsAllowed() {
        assertThatThrownBy(() -> assertThat(passed()).wallTimeIsBelow("2"))
                .isInstanceOf(SpecException.class)
                .hasMessageStartingWith("wallTimeIsBelow = \"2\" is not a duration: use a number with a unit");
        assertThatThrownBy(() -> assertThat(passed()).memory().peakIsBelow("48Q"))
                .isInstanceOf(SpecException.class)
                .hasMessageStartingWith("peakIsBelow = \"48Q\" is not a size");
    }

    @Test
    void hasOutcomeRejectsNull() {
        assertThatThrownBy(() -> assertThat(passed()).hasOutcome(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("the expected outcome must not be null");
    }
}
