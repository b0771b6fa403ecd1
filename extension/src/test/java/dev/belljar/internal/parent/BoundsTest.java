package dev.belljar.internal.parent;

import dev.belljar.Outcome;
import dev.belljar.SandboxResult;
import dev.belljar.spec.Expectation;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** What an unmet {@code @Expect} bound says; results made up, no sandbox. */
class BoundsTest {
    private static final long MIB = 1024 * 1024;
    private static final long MS = 1_000_000;

    private static SandboxResult result(OptionalLong limitBytes, OptionalLong peakBytes, OptionalDouble limitCores) {
        return new SandboxResult(Outcome.PASSED, OptionalInt.of(0), 1500 * MS,
                new SandboxResult.Memory(limitBytes, peakBytes, 40 * MIB, OptionalLong.of(30 * MIB), 0, OptionalLong.empty(), false),
                new SandboxResult.Cpu(limitCores, 1200 * MS, 1000 * MS, 200 * MS, OptionalLong.of(800 * MS), 120, 12, 340 * MS),
                new SandboxResult.Pids(OptionalInt.of(64), 20, OptionalLong.of(31)),
                new SandboxResult.Io(OptionalLong.empty(), OptionalLong.of(12 * MIB)), SandboxResult.Pressure.NONE,
                Map.of(), Optional.empty(), Optional.empty());
    }

    private static final SandboxResult RESULT = result(OptionalLong.of(64 * MIB), OptionalLong.of(54_840_934),
            OptionalDouble.of(0.5));

    @Test
    void metBoundsSayNothing() {
        Expectation met = Expectation.none().with("peakMemory", "< 64M").with("cpuTime", "> 1s")
                .with("pids", "<= 31").with("wallTime", "== 1500ms").with("testMemory", ">= 22M");
        assertThat(Bounds.unmet(met, RESULT)).isEmpty();
    }

    @Test
    void eachUnmetBoundIsOneLineWithTheActualValueAndItsContext() {
        Expectation unmet = Expectation.none().with("peakMemory", "< 48M").with("cpuTime", "< 1s")
                .with("pids", "> 31").with("testCpuTime", "< 100ms");
        assertThat(Bounds.unmet(unmet, RESULT)).containsExactly(
                "expected peak memory < 48 MiB but was 52.3 MiB (limit 64 MiB)",
                "expected CPU time < 1.00 s but was 1.20 s (quota 0.5 cores)",
                "expected CPU time of the test itself < 100.0 ms but was 400.0 ms (quota 0.5 cores)",
                "expected processes and threads > 31 but was 31");
    }

    @Test
    void contextSaysWhatIsNotLimited() {
        SandboxResult unlimited = result(OptionalLong.empty(), OptionalLong.of(54_840_934), OptionalDouble.empty());
        assertThat(Bounds.unmet(Expectation.none().with("peakMemory", "< 48M").with("throttledTime", "== 0"), unlimited))
                .containsExactly("expected peak memory < 48 MiB but was 52.3 MiB",
                        "expected throttled time == 0.0 us but was 340.0 ms (no CPU quota)");
    }

    @Test
    void aValueTheHostDoesNotReportIsUnmet() {
        SandboxResult noPeak = result(OptionalLong.of(64 * MIB), OptionalLong.empty(), OptionalDouble.empty());
        assertThat(Bounds.unmet(Expectation.none().with("peakMemory", "< 48M").with("ioRead", "< 1M"), noPeak))
                .containsExactly(
                        "expected peak memory < 48 MiB but this host does not report peak memory",
                        "expected bytes read from block devices < 1 MiB but this host does not report bytes read from block devices");
    }
}
