package dev.belljar.spec;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The value formats that annotations, YAML and configuration share, each parsed in one place so
 * that they accept the same text and report it the same way: {@code key = "text" is not ...}.
 */
public final class Values {
    private Values() {
    }

    /**
     * {@code true}/{@code false}, and YAML 1.1's {@code yes}/{@code no} and {@code on}/{@code off},
     * case-insensitive: a {@code belljar.yaml} and a properties file take the same words.
     */
    public static boolean bool(String text, String key) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new SpecException(key + " = \"" + text + "\" is not a boolean: use true or false");
        };
    }

    public static int integer(String text, String key) {
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new SpecException(key + " = \"" + text + "\" is not a whole number: use e.g. 64");
        }
        if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
            throw new SpecException(key + " = \"" + text + "\" is out of range: at most " + Integer.MAX_VALUE);
        }
        return (int) value;
    }

    /** Enum values as in Java, case-insensitive, as the contract says; {@code what} is e.g. {@code a network}. */
    public static <E extends Enum<E>> E enumeration(Class<E> type, String text, String key, String what) {
        List<String> names = names(type);
        String upper = text.trim().toUpperCase(Locale.ROOT);
        if (!names.contains(upper)) {
            throw new SpecException(key + " = \"" + text + "\" is not " + what + Suggestions.didYouMean(text, names)
                    + "; allowed: " + String.join(", ", names) + " (case-insensitive)");
        }
        return Enum.valueOf(type, upper);
    }

    static List<String> names(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants()).map(Enum::name).toList();
    }
}
