package dev.belljar.spec;

import java.io.Serializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Faults on a forwarded host service, applied by the relay as Toxiproxy's toxics are, written as
 * {@code "latency=200ms, jitter=50ms, bandwidth=64K"}. Downstream is what the host service sends
 * to the sandbox, upstream what the sandbox sends. Each value is null when not declared.
 *
 * @param latency          delay of downstream data (the answers), e.g. {@code 200ms}
 * @param upstreamLatency  delay of upstream data (the requests)
 * @param jitter           each delay varies by up to this much either way
 * @param bandwidth        bytes per second, each way
 * @param stall            data stops both ways while connections stay open, so a client's read
 *                         timeout fires
 * @param resetAfter       downstream bytes a connection carries before it is reset (0: at once)
 * @param slice            data travels in segments of at most this many bytes
 * @param sliceDelay       pause between two segments
 * @param connections      connections open at once; the relay resets those beyond
 */
public record PortFaults(Duration latency, Duration upstreamLatency, Duration jitter, Long bandwidth, Boolean stall,
                         Long resetAfter, Long slice, Duration sliceDelay, Integer connections) implements Serializable {
    public static final PortFaults NONE = new PortFaults(null, null, null, null, null, null, null, null, null);

    private static final List<String> KEYS = List.of("latency", "upstreamLatency", "jitter", "bandwidth", "stall",
            "resetAfter", "slice", "sliceDelay", "connections");
    static final String ALLOWED = "latency=DURATION, upstreamLatency=DURATION, jitter=DURATION, bandwidth=SIZE (per second),"
            + " stall=BOOLEAN, resetAfter=SIZE, slice=SIZE, sliceDelay=DURATION, connections=COUNT,"
            + " e.g. \"latency=200ms, jitter=50ms\"";

    /**
     * Parses {@code text}; {@code element} names where it was written, e.g. {@code hostPorts[5432]},
     * for the message.
     */
    public static PortFaults parse(String text, String element) {
        if (text.isBlank()) {
            return NONE;
        }
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
        PortFaults faults = new PortFaults(duration(values, "latency", element), duration(values, "upstreamLatency", element),
                duration(values, "jitter", element), size(values, "bandwidth", element, false),
                values.containsKey("stall") ? Values.bool(values.get("stall"), element + ".stall") : null,
                size(values, "resetAfter", element, true), size(values, "slice", element, false),
                duration(values, "sliceDelay", element),
                values.containsKey("connections") ? connections(values.get("connections"), element) : null);
        faults.requireJitterWithinLatency(element + " = \"" + text + "\"");
        return faults;
    }

    /**
     * A chunk is never due before it arrived: the jitter goes with a latency and is at most each
     * latency declared.
     */
    void requireJitterWithinLatency(String where) {
        if (jitter == null) {
            return;
        }
        if (latency == null && upstreamLatency == null) {
            throw new SpecException(where + ": jitter = " + Durations.format(jitter) + " varies a latency, and none is"
                    + " declared: add latency (or upstreamLatency), e.g. \"latency=200ms, jitter=50ms\"");
        }
        for (Duration declared : new Duration[] {latency, upstreamLatency}) {
            if (declared != null && jitter.compareTo(declared) > 0) {
                throw new SpecException(where + ": jitter = " + Durations.format(jitter) + " exceeds the latency of "
                        + Durations.format(declared) + ": jitter is at most the latency, so that no data is due before it arrived");
            }
        }
    }

    /** These faults with each one {@code changes} declares in its place. */
    public PortFaults with(PortFaults changes) {
        return new PortFaults(pick(changes.latency, latency), pick(changes.upstreamLatency, upstreamLatency),
                pick(changes.jitter, jitter), pick(changes.bandwidth, bandwidth), pick(changes.stall, stall),
                pick(changes.resetAfter, resetAfter), pick(changes.slice, slice), pick(changes.sliceDelay, sliceDelay),
                pick(changes.connections, connections));
    }

    public boolean isNone() {
        return equals(NONE);
    }

    private static <T> T pick(T specific, T general) {
        return specific != null ? specific : general;
    }

    private static Duration duration(Map<String, String> values, String key, String element) {
        return values.containsKey(key) ? Durations.parse(values.get(key), element + "." + key, "200ms, 1s") : null;
    }

    private static Long size(Map<String, String> values, String key, String element, boolean zeroAllowed) {
        return values.containsKey(key) ? Sizes.parse(values.get(key), element + "." + key, zeroAllowed) : null;
    }

    private static int connections(String text, String element) {
        int count = Values.integer(text, element + ".connections");
        if (count < 1) {
            throw new SpecException(element + ".connections = \"" + text + "\" is out of range: at least 1 connection");
        }
        return count;
    }

    /** In the syntax {@link #parse} takes; empty for none. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        Object[] values = {latency, upstreamLatency, jitter, bandwidth, stall, resetAfter, slice, sliceDelay, connections};
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                s.append(s.length() == 0 ? "" : ", ").append(KEYS.get(i)).append('=').append(
                        values[i] instanceof Duration d ? Durations.format(d)
                                : values[i] instanceof Long bytes ? Sizes.format(bytes)
                                : values[i].toString());
            }
        }
        return s.toString();
    }
}
