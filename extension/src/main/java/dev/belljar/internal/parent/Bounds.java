package dev.belljar.internal.parent;

import dev.belljar.SandboxResult;
import dev.belljar.spec.Bound;
import dev.belljar.spec.Expectation;
import dev.belljar.spec.Metric;
import dev.belljar.spec.Sizes;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Checks an expectation's bounds against a sandbox's result and describes every unmet one. */
final class Bounds {
    private Bounds() {
    }

    /** One line per unmet bound: "expected peak memory < 48 MiB but was 52.3 MiB (limit 64 MiB)". */
    static List<String> unmet(Expectation expectation, SandboxResult result) {
        List<String> unmet = new ArrayList<>();
        for (Bound bound : expectation.bounds().values()) {
            OptionalLong actual = valueOf(bound.metric(), result);
            if (actual.isEmpty()) {
                unmet.add("expected " + bound.describe() + " but this host does not report " + bound.metric().description());
            } else if (!bound.isMetBy(actual.getAsLong())) {
                unmet.add("expected " + bound.describe() + " but was " + bound.metric().describe(actual.getAsLong())
                        + context(bound.metric(), result));
            }
        }
        return unmet;
    }

    static OptionalLong valueOf(Metric metric, SandboxResult r) {
        return switch (metric) {
            case PEAK_MEMORY -> r.memory().peakBytes();
            case TEST_MEMORY -> r.memory().peakBytes().isPresent() && r.memory().baselineBytes().isPresent()
                    ? OptionalLong.of(Math.max(0, r.memory().peakBytes().getAsLong() - r.memory().baselineBytes().getAsLong()))
                    : OptionalLong.empty();
            case CPU_TIME -> OptionalLong.of(r.cpu().usageNanos());
            case TEST_CPU_TIME -> r.cpu().baselineNanos().isPresent()
                    ? OptionalLong.of(r.cpu().usageNanos() - r.cpu().baselineNanos().getAsLong()) : OptionalLong.empty();
            case THROTTLED_TIME -> OptionalLong.of(r.cpu().throttledNanos());
            case THROTTLED_PERIODS -> OptionalLong.of(r.cpu().throttledPeriods());
            case PIDS -> r.pids().peak();
            case IO_READ -> r.io().readBytes();
            case IO_WRITE -> r.io().writeBytes();
            case WALL_TIME -> OptionalLong.of(r.wallTimeNanos());
        };
    }

    private static String context(Metric metric, SandboxResult r) {
        return switch (metric) {
            case PEAK_MEMORY, TEST_MEMORY -> r.memory().limitBytes().stream()
                    .mapToObj(limit -> " (limit " + Sizes.describe(limit) + ")").findFirst().orElse("");
            case THROTTLED_TIME, THROTTLED_PERIODS, CPU_TIME, TEST_CPU_TIME -> r.cpu().limitCores().isPresent()
                    ? " (quota " + r.cpu().limitCores().getAsDouble() + " cores)" : " (no CPU quota)";
            default -> "";
        };
    }
}
