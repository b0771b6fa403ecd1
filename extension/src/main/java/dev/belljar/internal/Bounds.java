package dev.belljar.internal;

import dev.belljar.Expect;
import dev.belljar.SandboxResult;
import dev.belljar.spec.Durations;
import dev.belljar.spec.Sizes;
import dev.belljar.spec.SpecException;

import java.util.List;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@link Expect} bounds such as {@code "< 48M"}: parsed, checked against a result, described when unmet. */
final class Bounds {
    private static final Pattern BOUND = Pattern.compile("\\s*(<=|>=|<|>|==)\\s*(.+?)\\s*");

    private Bounds() {
    }

    static void check(Expect expect, SandboxResult result, List<String> unmet) {
        String limit = result.memory().limitBytes().stream().mapToObj(b -> " (limit " + Sizes.describe(b) + ")")
                .findFirst().orElse("");
        check("peakMemory", "peak memory", expect.peakMemory(), result.memory().peakBytes(),
                text -> Sizes.parse(text, "peakMemory", true), Sizes::describe, limit, unmet);
        check("cpuTime", "CPU time", expect.cpuTime(), OptionalLong.of(result.cpu().usageNanos()),
                Bounds::nanos, Durations::describe, "", unmet);
        check("throttledTime", "throttled time", expect.throttledTime(), OptionalLong.of(result.cpu().throttledNanos()),
                Bounds::nanos, Durations::describe, "", unmet);
    }

    private static long nanos(String text) {
        return text.equals("0") ? 0 : Durations.parse(text, "duration").toNanos();
    }

    private static void check(String key, String name, String bound, OptionalLong actual,
                              Function<String, Long> parse, LongFunction<String> describe, String context,
                              List<String> unmet) {
        if (bound.isEmpty()) {
            return;
        }
        Matcher m = BOUND.matcher(bound);
        if (!m.matches()) {
            throw new SpecException("@Expect(" + key + " = \"" + bound + "\") is not a bound: write a comparison"
                    + " <, <=, >, >= or == and a value, e.g. \"< 48M\", \"<= 2s\", \"> 0\"");
        }
        long expected;
        try {
            expected = parse.apply(m.group(2));
        } catch (SpecException e) {
            throw new SpecException("@Expect(" + key + " = \"" + bound + "\"): " + e.getMessage());
        }
        if (actual.isEmpty()) {
            unmet.add("expected " + name + " " + m.group(1) + " " + describe.apply(expected)
                    + " but this host does not report it");
            return;
        }
        long value = actual.getAsLong();
        boolean met = switch (m.group(1)) {
            case "<" -> value < expected;
            case "<=" -> value <= expected;
            case ">" -> value > expected;
            case ">=" -> value >= expected;
            default -> value == expected;
        };
        if (!met) {
            unmet.add("expected " + name + " " + m.group(1) + " " + describe.apply(expected) + " but was "
                    + describe.apply(value) + context);
        }
    }
}
