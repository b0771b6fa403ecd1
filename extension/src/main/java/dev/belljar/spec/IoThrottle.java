package dev.belljar.spec;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Throttling of the block device behind one path, written as {@code "write=1M, read=10M,
 * riops=100, wiops=50"}: bytes per second (sizes) and I/O operations per second (counts). Each
 * value is null when not declared.
 */
public record IoThrottle(Long readBytesPerSecond, Long writeBytesPerSecond, Long readIops, Long writeIops)
        implements Serializable {
    private static final String ALLOWED = "read=SIZE, write=SIZE, riops=COUNT, wiops=COUNT, e.g. \"write=1M, riops=100\"";

    public static IoThrottle parse(String text, String element) {
        Map<String, Long> values = new TreeMap<>();
        for (String part : text.split(",")) {
            String[] keyValue = part.trim().split("=", 2);
            if (keyValue.length != 2 || keyValue[1].isBlank()) {
                throw new SpecException(element + " = \"" + text + "\" is not an I/O limit: use " + ALLOWED);
            }
            String key = keyValue[0].trim().toLowerCase(Locale.ROOT);
            long value = switch (key) {
                case "read", "write" -> Sizes.parse(keyValue[1], element + "." + key);
                case "riops", "wiops" -> count(keyValue[1].trim(), element + "." + key);
                default -> throw new SpecException(element + " = \"" + text + "\": '" + keyValue[0].trim()
                        + "' is not an I/O limit" + Suggestions.didYouMean(key, List.of("read", "write", "riops", "wiops"))
                        + "; use " + ALLOWED);
            };
            if (values.put(key, value) != null) {
                throw new SpecException(element + " = \"" + text + "\" sets " + key + " twice");
            }
        }
        return new IoThrottle(values.get("read"), values.get("write"), values.get("riops"), values.get("wiops"));
    }

    private static long count(String text, String element) {
        try {
            long count = Long.parseLong(text);
            if (count > 0) {
                return count;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new SpecException(element + " = \"" + text + "\" is not a positive whole number of operations per second");
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if (readBytesPerSecond != null) s.append("read=").append(Sizes.format(readBytesPerSecond)).append(", ");
        if (writeBytesPerSecond != null) s.append("write=").append(Sizes.format(writeBytesPerSecond)).append(", ");
        if (readIops != null) s.append("riops=").append(readIops).append(", ");
        if (writeIops != null) s.append("wiops=").append(writeIops).append(", ");
        return s.length() == 0 ? "" : s.substring(0, s.length() - 2);
    }
}
