package dev.belljar.spec;

import java.io.Serializable;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A comparison on one metric, written as {@code "< 48M"}, {@code "<= 2s"}, {@code "> 0"}. */
public record Bound(Metric metric, Comparison comparison, long value) implements Serializable {
    /** A comparison and a value that does not start with another comparison ({@code "<< 1m"} is no bound). */
    private static final Pattern BOUND = Pattern.compile("\\s*(<=|>=|<|>|==)\\s*([^<>=\\s].*?)\\s*");

    /** Parses {@code text}; every error names the metric and echoes the whole bound as written. */
    public static Bound parse(Metric metric, String text) {
        Matcher m = BOUND.matcher(text);
        String written = metric.key() + " = \"" + text + "\"";
        if (!m.matches()) {
            throw new SpecException(written + " is not a bound: write a comparison <, <=, >, >= or == and "
                    + metric.expected());
        }
        long value;
        try {
            value = metric.parseValue(m.group(2), metric.key());
        } catch (SpecException e) {
            // The value's own message starts "key = \"value\" is not ...": keep its reason, after the whole bound.
            throw new SpecException(written + " is not a bound: " + e.getMessage().substring(metric.key().length() + 3));
        }
        return new Bound(metric, Comparison.bySymbol(m.group(1)).orElseThrow(), value);
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
