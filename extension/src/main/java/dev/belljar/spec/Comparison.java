package dev.belljar.spec;

import java.util.Arrays;
import java.util.Optional;

/**
 * How an actual value must relate to an expected one. One vocabulary for the bounds of
 * {@code @Expect} and YAML ({@code "< 48M"}) and for the AssertJ assertions ("to be below").
 */
public enum Comparison {
    BELOW("<", "to be below"),
    AT_MOST("<=", "to be at most"),
    ABOVE(">", "to be above"),
    AT_LEAST(">=", "to be at least"),
    EQUAL_TO("==", "to be");

    private final String symbol;
    private final String phrase;

    Comparison(String symbol, String phrase) {
        this.symbol = symbol;
        this.phrase = phrase;
    }

    /** As a bound writes it: {@code <}, {@code <=}, {@code >}, {@code >=}, {@code ==}. */
    public String symbol() {
        return symbol;
    }

    /** As a failure message reads it: {@code to be at most}. */
    public String phrase() {
        return phrase;
    }

    public boolean holds(long actual, long expected) {
        return switch (this) {
            case BELOW -> actual < expected;
            case AT_MOST -> actual <= expected;
            case ABOVE -> actual > expected;
            case AT_LEAST -> actual >= expected;
            case EQUAL_TO -> actual == expected;
        };
    }

    static Optional<Comparison> bySymbol(String symbol) {
        return Arrays.stream(values()).filter(c -> c.symbol.equals(symbol)).findFirst();
    }
}
