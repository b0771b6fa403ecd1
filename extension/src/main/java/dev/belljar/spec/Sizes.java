package dev.belljar.spec;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as users write them: bytes, or a decimal number with a binary suffix (K, M, G, T; 1K = 1024). */
public final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGT]?)(?:I?B)?", Pattern.CASE_INSENSITIVE);
    private static final String ALLOWED = "use bytes or a number with a binary suffix K, M, G or T, e.g. 64M, 1.5G, 512K";

    private Sizes() {
    }

    public static long parse(String text, String key) {
        return parse(text, key, false);
    }

    /** Parses {@code text}; {@code zeroAllowed} for sizes where 0 means "none" (swap). */
    public static long parse(String text, String key, boolean zeroAllowed) {
        String trimmed = text.trim();
        Matcher m = SIZE.matcher(trimmed.startsWith("-") ? trimmed.substring(1) : trimmed);
        if (!m.matches()) {
            throw new SpecException(key + " = \"" + text + "\" is not a size: " + ALLOWED);
        }
        if (trimmed.startsWith("-")) {
            throw outOfRange(text, key, zeroAllowed);
        }
        int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        // A fraction of a byte is no size: "1.5" was meant with a unit.
        if (shift == 0 && m.group(1).contains(".")) {
            throw new SpecException(key + " = \"" + text + "\" is not a size: a size without a unit is a whole number"
                    + " of bytes; use e.g. 1536K, 1.5M or 64M");
        }
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1L << shift));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new SpecException(key + " = \"" + text + "\" is too large: a size is at most "
                    + (Long.MAX_VALUE >> 40) + "T (8 EiB)");
        }
        long value = bytes.setScale(0, RoundingMode.CEILING).longValueExact();
        if (value == 0 && !zeroAllowed) {
            throw outOfRange(text, key, false);
        }
        return value;
    }

    private static SpecException outOfRange(String text, String key, boolean zeroAllowed) {
        return new SpecException(key + " = \"" + text + "\" is out of range: use a "
                + (zeroAllowed ? "size of 0 or more" : "positive size") + ", e.g. 64M");
    }

    /** Formats bytes for people: {@code 64 MiB}, {@code 52.3 MiB}, {@code 512 B}. */
    public static String describe(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (Math.abs(value) >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return (value == Math.rint(value) ? String.format(Locale.ROOT, "%d", (long) value)
                : String.format(Locale.ROOT, "%.1f", value)) + " " + units[unit];
    }

    /** Formats bytes in the input syntax: {@code 64M}, {@code 1536K}, or plain bytes. */
    public static String format(long bytes) {
        String[] suffixes = {"", "K", "M", "G", "T"};
        int unit = 0;
        long value = bytes;
        while (value != 0 && value % 1024 == 0 && unit < suffixes.length - 1) {
            value /= 1024;
            unit++;
        }
        return value + suffixes[unit];
    }
}
