package dev.belljar.assertj;

import dev.belljar.SandboxResult;
import org.junit.jupiter.api.Test;

import java.util.OptionalDouble;
import java.util.OptionalLong;

import static dev.belljar.assertj.BelljarAssertions.assertThat;
import static dev.belljar.assertj.SandboxResults.MS;
import static dev.belljar.assertj.SandboxResults.message;
import static dev.belljar.assertj.SandboxResults.passed;
import static dev.belljar.assertj.SandboxResults.with;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CpuAssertTest {
    /** No CPU limit, never throttled, and the test itself never started. */
    private static final SandboxResult UNLIMITED = with(new SandboxResult.Cpu(OptionalDouble.empty(), 900 * MS,
            700 * MS, 200 * MS, OptionalLong.empty(), 0, 0, 0));

    @Test
    void passesWithinItsBounds() {
        assertThat(passed()).cpu()
                .wasThrottled().timeIsBelow("2s").timeIsAtLeast("1200ms").testTimeIsBelow("500ms")
                .throttledTimeIsAtLeast("340ms");
        assertThat(UNLIMITED).cpu().wasNotThrottled().throttledTimeIsAtLeast("0ns");
    }

    @Test
    void wasThrottledShowsThePeriodsAndTheLimit() {
        assertThatThrownBy(() -> assertThat(UNLIMITED).cpu().wasThrottled())
                .hasMessage(message("Expecting the sandbox to have been throttled", "but it was not:",
                        "  throttled in 0 of 0 periods for 0.0 us, no CPU limit declared"));
    }

    @Test
    void wasNotThrottledShowsHowMuch() {
        assertThatThrownBy(() -> assertThat(passed()).cpu().wasNotThrottled())
                .hasMessage(message("Expecting the sandbox not to have been throttled", "but it was:",
                        "  throttled in 12 of 120 periods for 340.0 ms, limit 0.5 cores"));
    }

    @Test
    void timeIsBelowAndAtLeastCompareTheTotal() {
        assertThatThrownBy(() -> assertThat(passed()).cpu().timeIsBelow("1s"))
                .hasMessage(message("Expecting the sandbox's CPU time to be below:", "  1.00 s", "but was:",
                        "  1.20 s (limit 0.5 cores)"));
        assertThatThrownBy(() -> assertThat(UNLIMITED).cpu().timeIsAtLeast("1s"))
                .hasMessage(message("Expecting the sandbox's CPU time to be at least:", "  1.00 s", "but was:",
                        "  900.0 ms (no CPU limit declared)"));
    }

    @Test
    void testTimeIsBelowSubtractsTheBaseline() {
        assertThatThrownBy(() -> assertThat(passed()).cpu().testTimeIsBelow("300ms"))
                .hasMessage(message("Expecting the test's own CPU time (total minus baseline) to be below:", "  300.0 ms",
                        "but was:", "  400.0 ms (total 1.20 s, baseline 800.0 ms)"));
        assertThatThrownBy(() -> assertThat(UNLIMITED).cpu().testTimeIsBelow("300ms"))
                .hasMessage(message("Expecting the test's own CPU time (total minus baseline) to be below:", "  300.0 ms",
                        "but the sandbox recorded no baseline: the test itself never started"));
    }

    @Test
    void throttledTimeIsAtLeastShowsTheThrottling() {
        assertThatThrownBy(() -> assertThat(passed()).cpu().throttledTimeIsAtLeast("1s"))
                .hasMessage(message("Expecting the sandbox's throttled time to be at least:", "  1.00 s", "but was:",
                        "  340.0 ms (throttled in 12 of 120 periods for 340.0 ms, limit 0.5 cores)"));
    }
}
