package dev.belljar.assertj;

import dev.belljar.spec.Comparison;
import org.assertj.core.api.AbstractAssert;

import java.util.OptionalLong;
import java.util.function.LongFunction;

/**
 * What every Belljar assertion shares: failure messages in AssertJ's multi-line layout, and the rule
 * that a value the host does not report fails the assertion instead of counting as zero (a peak of
 * "0 bytes" would pass every upper bound and hide that nothing was measured).
 */
abstract class AbstractSandboxAssert<SELF extends AbstractSandboxAssert<SELF, ACTUAL>, ACTUAL>
        extends AbstractAssert<SELF, ACTUAL> {

    AbstractSandboxAssert(ACTUAL actual, Class<?> selfType) {
        super(actual, selfType);
    }

    /**
     * Fails unless {@code value} is reported and stands in {@code comparison} to {@code expected}.
     *
     * @param subject what the value is, e.g. {@code the sandbox's peak memory}
     * @param value   empty where the host does not report it
     * @param format  how people read a value, e.g. {@code Sizes::describe}
     * @param context what helps to read the actual value, e.g. {@code " (limit 64 MiB)"}; empty for nothing
     */
    final SELF assertReported(String subject, OptionalLong value, Comparison comparison, long expected,
                              LongFunction<String> format, String context) {
        long reported = value.orElseThrow(() -> failureExpecting(subject, comparison, format.apply(expected),
                "this host does not report " + subject));
        return assertValue(subject, reported, comparison, expected, format, context);
    }

    /** Fails unless {@code value} stands in {@code comparison} to {@code expected}; parameters as in {@link #assertReported}. */
    final SELF assertValue(String subject, long value, Comparison comparison, long expected,
                           LongFunction<String> format, String context) {
        if (!comparison.holds(value, expected)) {
            throw failureWithActualExpected(value, expected, "%nExpecting %s %s:%n  %s%nbut was:%n  %s%s",
                    subject, comparison.phrase(), format.apply(expected), format.apply(value), context);
        }
        return myself;
    }

    /** A failure for an expectation that cannot be checked, {@code but} saying why. */
    final AssertionError failureExpecting(String subject, Comparison comparison, String expected, String but) {
        return failure("%nExpecting %s %s:%n  %s%nbut %s", subject, comparison.phrase(), expected, but);
    }
}
