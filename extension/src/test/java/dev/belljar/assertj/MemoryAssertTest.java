package dev.belljar.assertj;

import dev.belljar.SandboxResult;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.util.OptionalLong;

import static dev.belljar.assertj.BelljarAssertions.assertThat;
import static dev.belljar.assertj.SandboxResults.MEMORY;
import static dev.belljar.assertj.SandboxResults.MIB;
import static dev.belljar.assertj.SandboxResults.message;
import static dev.belljar.assertj.SandboxResults.passed;
import static dev.belljar.assertj.SandboxResults.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MemoryAssertTest {
    /** What cgroup v1 and kernels before 6.1 report: no peak, and here no limit and no baseline either. */
    private static final SandboxResult UNREPORTED = with(new SandboxResult.Memory(OptionalLong.empty(),
            OptionalLong.empty(), 40 * MIB, OptionalLong.empty(), 0, OptionalLong.empty(), false));

    @Test
    void passesWithinItsBounds() {
        assertThat(passed()).memory()
                .peakIsBelow("53M").peakIsAtLeast("52M").peakIsAtLeast("54840934")
                .testShareIsBelow("23M").oomKills(0).limitIs("64M");
    }

    @Test
    void peakIsBelowShowsThePeakAndTheLimit() {
        assertThatThrownBy(() -> assertThat(passed()).memory().peakIsBelow("48M"))
                .isInstanceOfSatisfying(AssertionFailedError.class, e -> {
                    assertThat(e.getActual().getValue()).isEqualTo(54_840_934L);
                    assertThat(e.getExpected().getValue()).isEqualTo(48 * MIB);
                })
                .hasMessage(message(
                        "Expecting the sandbox's peak memory to be below:",
                        "  48 MiB",
                        "but was:",
                        "  52.3 MiB (limit 64 MiB)"));
    }

    @Test
    void peakIsBelowIsStrict() {
        SandboxResult atLimit = with(new SandboxResult.Memory(OptionalLong.empty(), OptionalLong.of(64 * MIB), 0,
                OptionalLong.empty(), 0, OptionalLong.empty(), false));
        assertThatThrownBy(() -> assertThat(atLimit).memory().peakIsBelow("64M"))
                .hasMessage(message("Expecting the sandbox's peak memory to be below:", "  64 MiB", "but was:",
                        "  64 MiB (no memory limit declared)"));
    }

    @Test
    void peakIsAtLeastFailsBelowTheSize() {
        assertThatThrownBy(() -> assertThat(passed()).memory().peakIsAtLeast("60M"))
                .hasMessage(message("Expecting the sandbox's peak memory to be at least:", "  60 MiB", "but was:",
                        "  52.3 MiB (limit 64 MiB)"));
    }

    @Test
    void anUnreportedPeakFailsAndIsNeverZero() {
        assertThatThrownBy(() -> assertThat(UNREPORTED).memory().peakIsBelow("48M"))
                .hasMessage(message("Expecting the sandbox's peak memory to be below:", "  48 MiB",
                        "but this host does not report the sandbox's peak memory"));
        assertThatThrownBy(() -> assertThat(UNREPORTED).memory().peakIsAtLeast("1M"))
                .hasMessageEndingWith("but this host does not report the sandbox's peak memory");
        assertThatThrownBy(() -> assertThat(UNREPORTED).memory().testShareIsBelow("16M"))
                .hasMessage(message("Expecting the test's own share of memory (peak minus baseline) to be below:",
                        "  16 MiB", "but this host does not report the sandbox's peak memory"));
    }

    @Test
    void testShareIsBelowShowsPeakAndBaseline() {
        assertThatThrownBy(() -> assertThat(passed()).memory().testShareIsBelow("16M"))
                .hasMessage(message("Expecting the test's own share of memory (peak minus baseline) to be below:",
                        "  16 MiB", "but was:", "  22.3 MiB (peak 52.3 MiB, baseline 30 MiB)"));
    }

    @Test
    void testShareNeedsABaseline() {
        SandboxResult neverStarted = with(new SandboxResult.Memory(MEMORY.limitBytes(), MEMORY.peakBytes(), 0,
                OptionalLong.empty(), 0, OptionalLong.empty(), false));
        assertThatThrownBy(() -> assertThat(neverStarted).memory().testShareIsBelow("16M"))
                .hasMessageEndingWith("but the sandbox recorded no baseline: the test itself never started");
    }

    @Test
    void oomKillsComparesTheCount() {
        assertThatThrownBy(() -> assertThat(passed()).memory().oomKills(1))
                .hasMessage(message("Expecting the number of processes the kernel's OOM killer killed in the sandbox to be:",
                        "  1", "but was:", "  0 (limit 64 MiB)"));
    }

    @Test
    void limitIsComparesTheDeclaredLimit() {
        assertThatThrownBy(() -> assertThat(passed()).memory().limitIs("32M"))
                .hasMessage(message("Expecting the sandbox's memory limit to be:", "  32 MiB", "but was:", "  64 MiB"));
        assertThatThrownBy(() -> assertThat(UNREPORTED).memory().limitIs("64M"))
                .hasMessage(message("Expecting the sandbox's memory limit to be:", "  64 MiB",
                        "but no memory limit was declared"));
    }

    @Test
    void aNullGroupFails() {
        assertThatThrownBy(() -> assertThat(with((SandboxResult.Memory) null)).memory().peakIsBelow("48M"))
                .hasMessageContaining("Expecting actual not to be null");
    }
}
