package dev.belljar.spec;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the kernel does to every packet on a private network's loopback, written as
 * {@code "rate=1M, delay=100ms, jitter=10ms, loss=1%"}: {@code rate} through the {@code tbf}
 * queueing discipline, the others through {@code netem}, which not every kernel has. Each value is
 * null when not declared.
 *
 * @param rate      bytes per second the loopback carries, both ways together
 * @param delay     how long each packet waits (a round trip crosses the loopback twice)
 * @param jitter    each packet's delay varies by up to this much either way
 * @param loss      the percentage of packets dropped
 * @param duplicate the percentage of packets sent twice
 * @param reorder   the percentage of packets sent at once, ahead of delayed ones
 */
public record NetFaults(Long rate, Duration delay, Duration jitter, Double loss, Double duplicate, Double reorder)
        implements Serializable {
    private static final List<String> KEYS = List.of("rate", "delay", "jitter", "loss", "duplicate", "reorder");
    static final String ALLOWED = "rate=SIZE (per second), delay=DURATION, jitter=DURATION, loss=PERCENT,"
            + " duplicate=PERCENT, reorder=PERCENT, e.g. \"delay=100ms, loss=1%\"";

    public static NetFaults parse(String text, String element) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            String[] keyValue = part.trim().split("=", 2);
            if (keyValue.length != 2 || keyValue[1].isBlank()) {
                throw new SpecException(element + " = \"" + text + "\": '" + part.trim() + "' is not a fault; use " + ALLOWED);
            }
            String key = keyValue[0].trim();
            if (!KEYS.contains(key)) {
                throw new SpecException(element + " = \"" + text + "\": '" + key + "' is not a fault"
                        + Suggestions.didYouMean(key, KEYS) + "; use " + ALLOWED);
            }
            if (values.put(key, keyValue[1].trim()) != null) {
                throw new SpecException(element + " = \"" + text + "\" sets " + key + " twice");
            }
        }
        NetFaults faults = new NetFaults(values.containsKey("rate") ? Sizes.parse(values.get("rate"), element + ".rate") : null,
                duration(values, "delay", element), duration(values, "jitter", element), percent(values, "loss", element),
                percent(values, "duplicate", element), percent(values, "reorder", element));
        String where = element + " = \"" + text + "\"";
        if (faults.jitter != null && (faults.delay == null || faults.jitter.compareTo(faults.delay) > 0)) {
            throw new SpecException(where + ": jitter varies the delay and is at most the delay; declare a delay of at"
                    + " least " + Durations.format(faults.jitter) + ", e.g. \"delay=100ms, jitter=10ms\"");
        }
        if (faults.reorder != null && faults.delay == null) {
            throw new SpecException(where + ": reorder sends some packets ahead of delayed ones, and none is delayed:"
                    + " declare a delay too, e.g. \"delay=10ms, reorder=25%\"");
        }
        return faults;
    }

    /** Whether it needs netem: everything but a rate alone. */
    public boolean needsNetem() {
        return delay != null || loss != null || duplicate != null || reorder != null;
    }

    private static Duration duration(Map<String, String> values, String key, String element) {
        return values.containsKey(key) ? Durations.parse(values.get(key), element + "." + key, "100ms, 1s") : null;
    }

    private static Double percent(Map<String, String> values, String key, String element) {
        if (!values.containsKey(key)) {
            return null;
        }
        String text = values.get(key);
        if (text.matches("[0-9]+(\\.[0-9]+)?%")) {
            double percent = new BigDecimal(text.substring(0, text.length() - 1)).doubleValue();
            if (percent <= 100) {
                return percent;
            }
        }
        throw new SpecException(element + "." + key + " = \"" + text + "\" is not a percentage: use 0% to 100%, e.g. 1%"
                + " or 0.5%");
    }

    /** In the syntax {@link #parse} takes. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        Object[] values = {rate, delay, jitter, loss, duplicate, reorder};
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                s.append(s.length() == 0 ? "" : ", ").append(KEYS.get(i)).append('=').append(
                        values[i] instanceof Duration d ? Durations.format(d)
                                : values[i] instanceof Long bytes ? Sizes.format(bytes)
                                : new BigDecimal(values[i].toString()).stripTrailingZeros().toPlainString() + "%");
            }
        }
        return s.toString();
    }
}
