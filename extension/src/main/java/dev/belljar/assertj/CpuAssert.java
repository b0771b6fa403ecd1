package dev.belljar.assertj;

import dev.belljar.SandboxResult;
import dev.belljar.spec.Comparison;
import dev.belljar.spec.Durations;

import java.math.BigDecimal;

/**
 * Assertions on a sandbox's CPU accounting: CPU time of all its processes and how often its CPU
 * quota throttled it. Durations are written as in {@code @Isolated}: {@code 500ms}, {@code 2s}, {@code 1m}.
 */
public final class CpuAssert extends AbstractGroupAssert<CpuAssert, SandboxResult.Cpu> {
    private static final String TIME = "the sandbox's CPU time";
    private static final String TEST_TIME = "the test's own CPU time (total minus baseline)";

    CpuAssert(SandboxResultAssert result, SandboxResult.Cpu cpu) {
        super(result, cpu, CpuAssert.class);
    }

    /**
     * Verifies that the sandbox's CPU quota throttled it in at least one period.
     *
     * @return this assertion
     */
    public CpuAssert wasThrottled() {
        isNotNull();
        if (actual.throttledPeriods() == 0) {
            throw failure("%nExpecting the sandbox to have been throttled%nbut it was not:%n  %s", throttling());
        }
        return myself;
    }

    /**
     * Verifies that the sandbox's CPU quota never throttled it.
     *
     * @return this assertion
     */
    public CpuAssert wasNotThrottled() {
        isNotNull();
        if (actual.throttledPeriods() > 0) {
            throw failure("%nExpecting the sandbox not to have been throttled%nbut it was:%n  %s", throttling());
        }
        return myself;
    }

    /**
     * Verifies that the CPU time (user + system) of all processes of the sandbox, JVM start-up
     * included, is below the given duration.
     *
     * @param duration e.g. {@code 2s}
     * @return this assertion
     */
    public CpuAssert timeIsBelow(String duration) {
        isNotNull();
        return assertValue(TIME, actual.usageNanos(), Comparison.BELOW, Durations.parse(duration, "timeIsBelow").toNanos(),
                Durations::describe, limitNote());
    }

    /**
     * Verifies that the CPU time of all processes of the sandbox is at least the given duration.
     *
     * @param duration e.g. {@code 1s}
     * @return this assertion
     */
    public CpuAssert timeIsAtLeast(String duration) {
        isNotNull();
        return assertValue(TIME, actual.usageNanos(), Comparison.AT_LEAST, Durations.parse(duration, "timeIsAtLeast").toNanos(),
                Durations::describe, limitNote());
    }

    /**
     * Verifies that the test's own CPU time, the total minus what the JVM and the launcher used
     * before the test started, is below the given duration.
     *
     * @param duration e.g. {@code 500ms}
     * @return this assertion
     */
    public CpuAssert testTimeIsBelow(String duration) {
        isNotNull();
        long expected = Durations.parse(duration, "testTimeIsBelow").toNanos();
        long baseline = actual.baselineNanos().orElseThrow(() -> failureExpecting(TEST_TIME, Comparison.BELOW,
                Durations.describe(expected), "the sandbox recorded no baseline: the test itself never started"));
        return assertValue(TEST_TIME, actual.usageNanos() - baseline, Comparison.BELOW, expected, Durations::describe,
                " (total " + Durations.describe(actual.usageNanos()) + ", baseline " + Durations.describe(baseline) + ")");
    }

    /**
     * Verifies that the sandbox spent at least the given time throttled by its CPU quota.
     *
     * @param duration e.g. {@code 100ms}
     * @return this assertion
     */
    public CpuAssert throttledTimeIsAtLeast(String duration) {
        isNotNull();
        return assertValue("the sandbox's throttled time", actual.throttledNanos(), Comparison.AT_LEAST,
                Durations.parse(duration, "throttledTimeIsAtLeast").toNanos(), Durations::describe,
                " (" + throttling() + ")");
    }

    /** e.g. {@code throttled in 12 of 120 periods for 340.0 ms, limit 0.5 cores} */
    private String throttling() {
        return "throttled in " + actual.throttledPeriods() + " of " + actual.periods() + " periods for "
                + Durations.describe(actual.throttledNanos()) + ", " + limit();
    }

    private String limitNote() {
        return " (" + limit() + ")";
    }

    /** e.g. {@code limit 0.5 cores} */
    private String limit() {
        return actual.limitCores().stream()
                .mapToObj(cores -> "limit " + BigDecimal.valueOf(cores).stripTrailingZeros().toPlainString() + " cores")
                .findFirst().orElse("no CPU limit declared");
    }
}
