package dev.belljar.spec;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as users write them: {@code 500ms}, {@code 30s}, {@code 1.5s}, {@code 2m}, {@code 1h}, {@code 30d}. */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

    private Durations() {
    }

    public static Duration parse(String text, String key) {
        return parse(text, key, "500ms, 30s, 2m");
    }

    /**
     * Parses {@code text}; {@code examples} are values that {@code key} accepts, for the message
     * ({@code 30d or 3600s} where only whole seconds do).
     */
    public static Duration parse(String text, String key, String examples) {
        String trimmed = text.trim();
        Matcher m = DURATION.matcher(trimmed.startsWith("-") ? trimmed.substring(1) : trimmed);
        if (!m.matches()) {
            throw new SpecException(key + " = \"" + text + "\" is not a duration: use a number with a unit"
                    + " ns, us, ms, s, m, h or d, e.g. " + examples);
        }
        if (trimmed.startsWith("-")) {
            throw new SpecException(key + " = \"" + text + "\" is out of range: a duration is not negative;"
                    + " use e.g. " + examples);
        }
        long nanosPerUnit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "ns" -> 1L;
            case "us" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> 86_400_000_000_000L;
        };
        BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPerUnit));
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new SpecException(key + " = \"" + text + "\" is too long: at most 292 years");
        }
        // A fraction of a nanosecond counts as a whole one, as a fraction of a byte does in sizes.
        return Duration.ofNanos(nanos.setScale(0, RoundingMode.CEILING).longValueExact());
    }

    /** Formats a duration in the input syntax, e.g. {@code 30s}, {@code 1500ms}. */
    public static String format(Duration d) {
        long nanos = d.toNanos();
        long[] units = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L};
        String[] names = {"d", "h", "m", "s", "ms", "us"};
        for (int i = 0; i < units.length; i++) {
            if (nanos % units[i] == 0) {
                return nanos / units[i] + names[i];
            }
        }
        return nanos + "ns";
    }

    /** Formats a duration for people: {@code 1.25 s}, {@code 340 ms}. */
    public static String describe(long nanos) {
        if (nanos >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
        }
        if (nanos >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
    }
}
