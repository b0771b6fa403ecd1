package dev.belljar.spec;

import dev.belljar.Outcome;

import java.io.Serializable;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the kernel should do to a sandboxed test: the outcome that counts as success and bounds on
 * its accounting. Declared by {@code @Expect} or YAML {@code expect:}; more specific declarations
 * override the outcome and add or replace bounds metric by metric.
 */
public final class Expectation implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final Expectation NONE = new Expectation(null, new EnumMap<>(Metric.class));

    private final Outcome outcome;
    private final Map<Metric, Bound> bounds;

    private Expectation(Outcome outcome, Map<Metric, Bound> bounds) {
        this.outcome = outcome;
        this.bounds = bounds;
    }

    public static Expectation none() {
        return NONE;
    }

    /** The passing outcome, {@link Outcome#PASSED} unless declared. */
    public Outcome outcome() {
        return outcome == null ? Outcome.PASSED : outcome;
    }

    public Map<Metric, Bound> bounds() {
        return Collections.unmodifiableMap(bounds);
    }

    public boolean isEmpty() {
        return outcome == null && bounds.isEmpty();
    }

    public Expectation withOutcome(Outcome value) {
        return new Expectation(value, bounds);
    }

    /** This expectation with {@code bound} added (replacing one on the same metric). */
    public Expectation with(Bound bound) {
        Map<Metric, Bound> merged = new EnumMap<>(Metric.class);
        merged.putAll(bounds);
        merged.put(bound.metric(), bound);
        return new Expectation(outcome, merged);
    }

    /** Parses {@code text} as a bound on the metric named {@code key}; an unknown key is an error naming the allowed ones. */
    public Expectation with(String key, String text) {
        Metric metric = Metric.byKey(key).orElseThrow(() -> new SpecException("expect." + key
                + " is not an expectation" + Suggestions.didYouMean(key, Metric.keys()) + "; allowed: outcome, "
                + String.join(", ", Metric.keys())));
        return with(Bound.parse(metric, text));
    }

    public Expectation overriddenBy(Expectation specific) {
        Map<Metric, Bound> merged = new EnumMap<>(Metric.class);
        merged.putAll(bounds);
        merged.putAll(specific.bounds);
        return new Expectation(specific.outcome != null ? specific.outcome : outcome, merged);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Expectation other && Objects.equals(outcome, other.outcome)
                && bounds.equals(other.bounds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(outcome, bounds);
    }

    /** As YAML {@code expect:} content, e.g. {@code { outcome: OOM_KILLED, peakMemory: "< 48M" }}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("{ ");
        if (outcome != null) {
            s.append("outcome: ").append(outcome.name());
        }
        bounds.values().forEach(b -> s.append(s.length() > 2 ? ", " : "").append(b.metric().key())
                .append(": \"").append(b).append('"'));
        return s.append(" }").toString().replace("{  }", "{}");
    }
}
