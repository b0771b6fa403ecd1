package dev.belljar.spec;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * What an expectation can bound, by the name used in {@code @Expect} and in YAML {@code expect:}.
 * Sizes are in bytes, times in nanoseconds.
 */
public enum Metric {
    /** The sandbox's peak memory as the kernel recorded it, JVM start-up included. */
    PEAK_MEMORY("peakMemory", "peak memory", Kind.SIZE, "< 48M"),
    /** What the test added on top of the JVM's baseline: peak memory minus memory in use when the test started. */
    TEST_MEMORY("testMemory", "memory the test added to the baseline", Kind.SIZE, "< 16M"),
    /** CPU time (user + system) of all processes of the sandbox. */
    CPU_TIME("cpuTime", "CPU time", Kind.DURATION, "< 5s"),
    /** CPU time of the test itself: total minus what was used before it started. */
    TEST_CPU_TIME("testCpuTime", "CPU time of the test itself", Kind.DURATION, "< 2s"),
    THROTTLED_TIME("throttledTime", "throttled time", Kind.DURATION, "> 0"),
    THROTTLED_PERIODS("throttledPeriods", "throttled periods", Kind.COUNT, ">= 1"),
    /** The peak number of processes and threads where the kernel records it, else the count at the end. */
    PIDS("pids", "processes and threads", Kind.COUNT, "<= 50"),
    IO_READ("ioRead", "bytes read from block devices", Kind.SIZE, "< 10M"),
    IO_WRITE("ioWrite", "bytes written to block devices", Kind.SIZE, "< 1M"),
    WALL_TIME("wallTime", "wall time", Kind.DURATION, "< 1m");

    enum Kind {
        SIZE("a size", Sizes::describe), DURATION("a duration", Durations::describe), COUNT("a count", Long::toString);

        /** What a bound compares with, for messages: {@code a size}. */
        private final String what;
        private final LongFunction<String> describe;

        Kind(String what, LongFunction<String> describe) {
            this.what = what;
            this.describe = describe;
        }
    }

    private final String key;
    private final String description;
    private final Kind kind;
    /** A bound as the reference shows it, for messages: {@code "< 48M"}. */
    private final String example;

    Metric(String key, String description, Kind kind, String example) {
        this.key = key;
        this.description = description;
        this.kind = kind;
        this.example = "\"" + example + "\"";
    }

    /** The name in {@code @Expect} and YAML, e.g. {@code peakMemory}. */
    public String key() {
        return key;
    }

    /** How people call it in a message, e.g. {@code peak memory}. */
    public String description() {
        return description;
    }

    Kind kind() {
        return kind;
    }

    public String describe(long value) {
        return kind.describe.apply(value);
    }

    /** Every key, in declaration order. */
    public static List<String> keys() {
        return Arrays.stream(values()).map(Metric::key).toList();
    }

    public static Optional<Metric> byKey(String key) {
        return Arrays.stream(values()).filter(m -> m.key.equals(key)).findFirst();
    }

    /** What a bound on it compares with, and an example bound: {@code a size, e.g. "< 48M"}. */
    String expected() {
        return kind.what + ", e.g. " + example;
    }

    /** Parses the value of a bound on this metric: a size, a duration ({@code 0} without unit allowed) or a count. */
    long parseValue(String text, String element) {
        return switch (kind) {
            case SIZE -> Sizes.parse(text, element, true);
            case DURATION -> text.trim().equals("0") ? 0 : Durations.parse(text, element, example).toNanos();
            case COUNT -> {
                try {
                    long count = Long.parseLong(text.trim());
                    if (count < 0) {
                        throw new NumberFormatException();
                    }
                    yield count;
                } catch (NumberFormatException e) {
                    throw new SpecException(element + " = \"" + text + "\" is not a count: use a whole number >= 0, e.g. "
                            + example);
                }
            }
        };
    }
}
