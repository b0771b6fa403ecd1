package dev.belljar.spec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bounds as written in {@code @Expect} and YAML, and the comparison they share with the assertions. */
class BoundTest {

    @ParameterizedTest
    @CsvSource({
            "BELOW, 1, 2, true", "BELOW, 2, 2, false",
            "AT_MOST, 2, 2, true", "AT_MOST, 3, 2, false",
            "ABOVE, 3, 2, true", "ABOVE, 2, 2, false",
            "AT_LEAST, 2, 2, true", "AT_LEAST, 1, 2, false",
            "EQUAL_TO, 2, 2, true", "EQUAL_TO, 1, 2, false"})
    void comparisonsHold(Comparison comparison, long actual, long expected, boolean holds) {
        assertThat(comparison.holds(actual, expected)).isEqualTo(holds);
    }

    @Test
    void everySymbolParsesToItsComparison() {
        for (Comparison comparison : Comparison.values()) {
            assertThat(Bound.parse(Metric.PIDS, comparison.symbol() + " 5").comparison()).isEqualTo(comparison);
        }
    }

    @Test
    void parsesTheValueInTheMetricsKind() {
        Bound memory = Bound.parse(Metric.PEAK_MEMORY, " <  48M ");
        assertThat(memory.value()).isEqualTo(48L << 20);
        assertThat(memory).hasToString("< 48M");
        assertThat(memory.describe()).isEqualTo("peak memory < 48 MiB");
        assertThat(memory.isMetBy(47L << 20)).isTrue();
        assertThat(memory.isMetBy(48L << 20)).isFalse();

        Bound cpu = Bound.parse(Metric.CPU_TIME, "<= 1.5s");
        assertThat(cpu.value()).isEqualTo(1_500_000_000L);
        assertThat(cpu).hasToString("<= 1500ms");
        assertThat(Bound.parse(Metric.THROTTLED_TIME, "== 0")).hasToString("== 0");
        assertThat(Bound.parse(Metric.PIDS, "> 0").describe()).isEqualTo("processes and threads > 0");
    }

    @Test
    void rejectsWhatIsNotAComparisonOrValue() {
        assertThatThrownBy(() -> Bound.parse(Metric.PEAK_MEMORY, "48M")).hasMessage("peakMemory = \"48M\" is not a"
                + " bound: write a comparison <, <=, >, >= or == and a size, e.g. \"< 48M\"");
        assertThatThrownBy(() -> Bound.parse(Metric.PIDS, "< -1"))
                .hasMessage("pids = \"< -1\" is not a bound: \"-1\" is not a count: use a whole number >= 0, e.g. \"<= 50\"");
        assertThatThrownBy(() -> Bound.parse(Metric.CPU_TIME, "< 2 apples")).hasMessage("cpuTime = \"< 2 apples\" is"
                + " not a bound: \"2 apples\" is not a duration: use a number with a unit ns, us, ms, s, m, h or d,"
                + " e.g. \"< 5s\"");
    }

    /** The message echoes the bound whole, as written, not what is left after the first comparison. */
    @Test
    void aDoubledComparisonIsNoBound() {
        assertThatThrownBy(() -> Bound.parse(Metric.WALL_TIME, "<< 1m")).hasMessage("wallTime = \"<< 1m\" is not a"
                + " bound: write a comparison <, <=, >, >= or == and a duration, e.g. \"< 1m\"");
        assertThatThrownBy(() -> Bound.parse(Metric.PEAK_MEMORY, "<= =48M")).hasMessage("peakMemory = \"<= =48M\" is"
                + " not a bound: write a comparison <, <=, >, >= or == and a size, e.g. \"< 48M\"");
        assertThatThrownBy(() -> Bound.parse(Metric.PIDS, "=< 5")).hasMessage("pids = \"=< 5\" is not a bound:"
                + " write a comparison <, <=, >, >= or == and a count, e.g. \"<= 50\"");
    }

    /** Each metric's own example: a duration bound is not shown a size, nor a count a duration. */
    @Test
    void everyMetricHintsWithItsOwnKind() {
        assertThatThrownBy(() -> Bound.parse(Metric.TEST_CPU_TIME, "< -1s")).hasMessage("testCpuTime = \"< -1s\" is"
                + " not a bound: \"-1s\" is out of range: a duration is not negative; use e.g. \"< 2s\"");
        assertThatThrownBy(() -> Bound.parse(Metric.THROTTLED_PERIODS, "> 1.5")).hasMessage("throttledPeriods ="
                + " \"> 1.5\" is not a bound: \"1.5\" is not a count: use a whole number >= 0, e.g. \">= 1\"");
        assertThatThrownBy(() -> Bound.parse(Metric.IO_WRITE, "< 1.5")).hasMessage("ioWrite = \"< 1.5\" is not a"
                + " bound: \"1.5\" is not a size: a size without a unit is a whole number of bytes; use e.g. 1536K,"
                + " 1.5M or 64M");
        assertThatThrownBy(() -> Bound.parse(Metric.PEAK_MEMORY, " ")).hasMessage("peakMemory = \" \" is not a"
                + " bound: write a comparison <, <=, >, >= or == and a size, e.g. \"< 48M\"");
        assertThatThrownBy(() -> Bound.parse(Metric.WALL_TIME, "< 99999999d")).hasMessage("wallTime = \"< 99999999d\""
                + " is not a bound: \"99999999d\" is too long: at most 292 years");
    }
}
