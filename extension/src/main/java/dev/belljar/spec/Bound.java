package dev.belljar.spec;

import java.io.Serializable;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A comparison on one metric, written as {@code "< 48M"}, {@code "<= 2s"}, {@code "> 0"}. */
public record Bound(Metric metric, Comparison comparison, long value) implements Serializable {
    private static final Pattern BOUND = Pattern.compile("\\s*(<=|>=|<|>|==)\\s*(.+?)\\s*");

    public static Bound parse(Metric metric, String text) {
        Matcher m = BOUND.matcher(text);
        if (!m.matches()) {
            throw new SpecException(metric.key() + " = \"" + text + "\" is not a bound: write a comparison"
                    + " <, <=, >, >= or == and a value, e.g. \"< 48M\", \"<= 2s\", \"> 0\"");
        }
        return new Bound(metric, Comparison.bySymbol(m.group(1)).orElseThrow(),
                metric.parseValue(m.group(2), metric.key()));
    }

    public boolean isMetBy(long actual) {
        return comparison.holds(actual, value);
    }

    /** {@code peak memory < 48 MiB} */
    public String describe() {
        return metric.description() + " " + comparison.symbol() + " " + metric.describe(value);
    }

    /** As written in YAML: {@code "< 48M"}. */
    @Override
    public String toString() {
        String formatted = switch (metric.kind()) {
            case SIZE -> Sizes.format(value);
            case DURATION -> value == 0 ? "0" : Durations.format(Duration.ofNanos(value));
            case COUNT -> Long.toString(value);
        };
        return comparison.symbol() + " " + formatted;
    }
}
