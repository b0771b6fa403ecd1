package dev.belljar.spec;

import dev.belljar.Net;
import dev.belljar.Reuse;
import dev.belljar.User;
import dev.belljar.linux.ns.Capability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * One sandbox attribute: its name (the same in {@code @Isolated}, YAML and {@code belljar.default.*}),
 * how its text is parsed, how it is written back as YAML and how a more specific declaration merges
 * over a general one. Annotations, YAML, configuration and {@link SandboxSpec} work over {@link #all()},
 * so an attribute is added here, as an {@code @Isolated} element of the same name, in the code that
 * enforces it and in the docs, and nowhere else.
 *
 * @param <T> the value: a scalar, a list of paths, or a map from a path to a value
 */
public abstract class Attribute<T> {
    /** How YAML writes the value, which is also how it merges. */
    enum Shape {
        /** One value; a more specific declaration replaces it. Also a configuration key. */
        SCALAR,
        /** One entry or a list of them; entries add up. */
        LIST,
        /** A map from a path to a value; entries add up, a path declared again is replaced. */
        MAP
    }

    private static final String PATHS = "a path or a list of paths, e.g. [/tmp, /var/data]";

    /** Index of the next attribute in {@link #ALL}; no initializer, so it counts from 0 as the constants are made. */
    private static int next;

    /** Size limit of the whole sandbox (memory.max). */
    public static final Attribute<Long> MEMORY = new Scalar<>("memory", "a size, e.g. 64M",
            text -> Sizes.parse(text, "memory"), bytes -> positive(bytes, "memory"), Sizes::format);
    public static final Attribute<Long> SWAP = new Scalar<>("swap", "a size, e.g. 128M, or 0 for none",
            text -> Sizes.parse(text, "swap", true), UnaryOperator.identity(), Sizes::format);
    public static final Attribute<Double> CPU = new Scalar<>("cpu", "a number of cores, e.g. 0.5 or 2",
            text -> Cores.parse(text, "cpu"), UnaryOperator.identity(), Attribute::stripZeros);
    public static final Attribute<Integer> PIDS = new Scalar<>("pids", "a whole number of processes and threads, e.g. 64",
            text -> Values.integer(text, "pids"), Attribute::pidsInRange, String::valueOf);
    public static final Attribute<Net> NET = enumeration("net", Net.class, "a network");
    /** A new PID namespace; {@code true} unless declared otherwise. */
    public static final Attribute<Boolean> PID = bool("pid");
    public static final Attribute<String> HOSTNAME = new Scalar<>("hostname", "a host name, e.g. sandbox-1",
            text -> Hostnames.validate(text, "hostname"), UnaryOperator.identity(), Function.identity());
    public static final Attribute<Duration> TIMEOUT = new Scalar<>("timeout", "a duration, e.g. 30s",
            Attribute::timeout, Attribute::positiveTimeout, Durations::format);
    public static final Attribute<String> DOMAINNAME = new Scalar<>("domainname", "a domain name, e.g. example.test",
            text -> Hostnames.validate(text, "domainname"), UnaryOperator.identity(), Function.identity());
    public static final Attribute<User> USER = enumeration("user", User.class, "a user");
    public static final Attribute<Duration> UPTIME = new Scalar<>("uptime", "a duration in whole seconds, e.g. 30d",
            Attribute::uptime, UnaryOperator.identity(), Durations::format);
    public static final Attribute<Long> MEMORY_HIGH = new Scalar<>("memoryHigh", "a size, e.g. 48M",
            text -> Sizes.parse(text, "memoryHigh"), UnaryOperator.identity(), Sizes::format);
    public static final Attribute<Integer> CPU_WEIGHT = new Scalar<>("cpuWeight", "a weight from 1 to 10000, e.g. 300",
            text -> Values.integer(text, "cpuWeight"), Attribute::cpuWeightInRange, String::valueOf);
    public static final Attribute<String> CPUSET = new Scalar<>("cpuset", "a CPU list, e.g. \"0-1\"",
            text -> CpuSets.parse(text, "cpuset"), UnaryOperator.identity(), cpus -> quoted(cpus));
    public static final Attribute<List<String>> READ_ONLY = new Items("readOnly", PATHS, path -> absolute(path, "readOnly"));
    public static final Attribute<List<String>> WRITABLE = new Items("writable", PATHS, path -> absolute(path, "writable"));
    /** Fresh tmpfs mounts: path to size in bytes. */
    public static final Attribute<Map<String, Long>> TMPFS = new Entries<>("tmpfs", Shape.LIST,
            "a path or a list of paths, e.g. [/tmp, /var/data]", null, LinkedHashMap::new, Attribute::tmpfs, null,
            mounts -> yamlList(mounts.entrySet().stream().map(e -> e.getKey() + ":" + Sizes.format(e.getValue())).toList()));
    public static final Attribute<List<String>> HIDDEN = new Items("hidden", PATHS, Attribute::hidden);
    public static final Attribute<Boolean> CGROUP_NAMESPACE = bool("cgroupNamespace");
    /**
     * Everything Belljar does to keep a test from reaching beyond its sandbox is off: the process
     * keeps its capabilities, and the cgroup filesystem, {@code /proc/sys} and {@code /sys} stay
     * writable.
     */
    public static final Attribute<Boolean> PRIVILEGED = bool("privileged");
    /** Capabilities kept beside runc's default set, e.g. {@code SYS_ADMIN}. */
    public static final Attribute<List<String>> CAPABILITIES = new Items("capabilities",
            "a capability or a list of them, e.g. [SYS_ADMIN, NET_ADMIN]", Attribute::capability);
    /** Throttling of the block device behind each path. */
    public static final Attribute<Map<String, IoThrottle>> IO = new Entries<>("io", Shape.MAP,
            "a map from a path to its I/O limits, e.g. { /data: \"write=1M\" }", "I/O limits, e.g. \"write=1M, riops=100\"",
            TreeMap::new, Attribute::ioEntry, Attribute::io, Attribute::ioMap);
    /** What the kernel does to every packet on a private network's loopback: rate, delay, loss, ... */
    public static final Attribute<NetFaults> NET_FAULTS = new Scalar<>("netFaults",
            "faults, e.g. \"rate=1M, delay=100ms, loss=1%\"", text -> NetFaults.parse(text, "netFaults"),
            UnaryOperator.identity(), faults -> quoted(faults.toString()));
    /** Whether the tests of a class share a child JVM. */
    public static final Attribute<Reuse> REUSE = enumeration("reuse", Reuse.class, "a reuse");
    /** Host services reachable inside a private network, by the port inside, each with its faults. */
    public static final Attribute<Map<Integer, PortForward>> HOST_PORTS = new Forwards();

    /** Every attribute, in the order {@link SandboxSpec#toString()} writes them. */
    private static final List<Attribute<?>> ALL = List.of(MEMORY, SWAP, CPU, PIDS, NET, PID, HOSTNAME, TIMEOUT,
            DOMAINNAME, USER, UPTIME, MEMORY_HIGH, CPU_WEIGHT, CPUSET, READ_ONLY, WRITABLE, TMPFS, HIDDEN,
            CGROUP_NAMESPACE, IO, PRIVILEGED, CAPABILITIES, HOST_PORTS, NET_FAULTS, REUSE);

    private final String name;
    private final Shape shape;
    private final String expected;
    /** Where {@link SandboxSpec} keeps the value; the position in {@link #ALL}. */
    final int index;

    private Attribute(String name, Shape shape, String expected) {
        this.name = name;
        this.shape = shape;
        this.expected = expected;
        this.index = next++;
    }

    /** Every attribute, in the order a spec is written. */
    public static List<Attribute<?>> all() {
        return ALL;
    }

    public static Optional<Attribute<?>> byName(String name) {
        return ALL.stream().filter(a -> a.name.equals(name)).findFirst();
    }

    /** The name in {@code @Isolated}, YAML and {@code belljar.default.*}, e.g. {@code memoryHigh}. */
    public String name() {
        return name;
    }

    /** Whether it has one value, as opposed to entries: only such an attribute is a {@code belljar.default.*} key. */
    public boolean isSingleValued() {
        return shape == Shape.SCALAR;
    }

    Shape shape() {
        return shape;
    }

    /** What belongs here, for YAML errors: {@code a size, e.g. 64M}. */
    String expected() {
        return expected;
    }

    /** What belongs in one value of a {@link Shape#MAP}, for YAML errors. */
    String valueExpected() {
        throw new UnsupportedOperationException(name + " is not a map");
    }

    /**
     * The value after declaring {@code text}: a scalar is replaced, a list or map gets one more entry.
     *
     * @param current the value so far, {@code null} when none
     * @throws SpecException naming the attribute, the text and what is allowed
     */
    abstract T parse(T current, String text);

    /** A {@link Shape#MAP} with the entry {@code key} (a path) to {@code text} declared. */
    T parse(T current, String key, String text) {
        throw new UnsupportedOperationException(name + " is not a map");
    }

    /** A value given in code rather than as text, checked as the parsed one would be. */
    T check(T value) {
        return Objects.requireNonNull(value, name);
    }

    /** {@code specific} declared over {@code general}; neither is {@code null}. */
    abstract T merge(T general, T specific);

    /** The value as YAML in the syntax that {@link #parse} takes. */
    abstract String format(T value);

    /** Whether the value says nothing (a list without entries), so that the spec does not declare it. */
    boolean isEmpty(T value) {
        return false;
    }

    /** What callers may see: collections cannot be changed through it. */
    T view(T value) {
        return value;
    }

    @Override
    public String toString() {
        return name;
    }

    /** One value, replaced by a more specific one. */
    private static final class Scalar<T> extends Attribute<T> {
        private final Function<String, T> parse;
        private final UnaryOperator<T> check;
        private final Function<T, String> format;

        Scalar(String name, String expected, Function<String, T> parse, UnaryOperator<T> check, Function<T, String> format) {
            super(name, Shape.SCALAR, expected);
            this.parse = parse;
            this.check = check;
            this.format = format;
        }

        @Override
        T parse(T current, String text) {
            return check.apply(parse.apply(text));
        }

        @Override
        T check(T value) {
            return check.apply(super.check(value));
        }

        @Override
        T merge(T general, T specific) {
            return specific;
        }

        @Override
        String format(T value) {
            return format.apply(value);
        }
    }

    /** Items (paths, capability names), each kept once; a more specific declaration adds its own. */
    private static final class Items extends Attribute<List<String>> {
        private final UnaryOperator<String> parse;

        Items(String name, String expected, UnaryOperator<String> parse) {
            super(name, Shape.LIST, expected);
            this.parse = parse;
        }

        @Override
        List<String> parse(List<String> current, String text) {
            return merge(current == null ? List.of() : current, List.of(parse.apply(text)));
        }

        @Override
        List<String> merge(List<String> general, List<String> specific) {
            List<String> merged = new ArrayList<>(general);
            specific.stream().filter(path -> !merged.contains(path)).forEach(merged::add);
            return merged;
        }

        @Override
        String format(List<String> paths) {
            return yamlList(paths);
        }

        @Override
        boolean isEmpty(List<String> paths) {
            return paths.isEmpty();
        }

        @Override
        List<String> view(List<String> paths) {
            return Collections.unmodifiableList(paths);
        }
    }

    /** A map from a path to a value; a more specific declaration adds entries and replaces those of the same path. */
    private static final class Entries<V> extends Attribute<Map<String, V>> {
        private final String valueExpected;
        private final Supplier<Map<String, V>> factory;
        private final Function<String, Map.Entry<String, V>> entry;
        private final BiFunction<String, String, V> value;
        private final Function<Map<String, V>, String> format;

        Entries(String name, Shape shape, String expected, String valueExpected, Supplier<Map<String, V>> factory,
                Function<String, Map.Entry<String, V>> entry, BiFunction<String, String, V> value,
                Function<Map<String, V>, String> format) {
            super(name, shape, expected);
            this.valueExpected = valueExpected;
            this.factory = factory;
            this.entry = entry;
            this.value = value;
            this.format = format;
        }

        @Override
        String valueExpected() {
            return valueExpected;
        }

        @Override
        Map<String, V> parse(Map<String, V> current, String text) {
            Map.Entry<String, V> parsed = entry.apply(text);
            return merge(current == null ? Map.of() : current, Map.of(parsed.getKey(), parsed.getValue()));
        }

        @Override
        Map<String, V> parse(Map<String, V> current, String key, String text) {
            return merge(current == null ? Map.of() : current, Map.of(key, value.apply(key, text)));
        }

        @Override
        Map<String, V> merge(Map<String, V> general, Map<String, V> specific) {
            Map<String, V> merged = factory.get();
            merged.putAll(general);
            merged.putAll(specific);
            return merged;
        }

        @Override
        String format(Map<String, V> entries) {
            return format.apply(entries);
        }

        @Override
        boolean isEmpty(Map<String, V> entries) {
            return entries.isEmpty();
        }

        @Override
        Map<String, V> view(Map<String, V> entries) {
            return Collections.unmodifiableMap(entries);
        }
    }

    /**
     * Forwarded host ports: one declaration forwards each port inside once; a more specific one
     * replaces the forward of the same port inside and adds the others.
     */
    private static final class Forwards extends Attribute<Map<Integer, PortForward>> {
        Forwards() {
            super("hostPorts", Shape.LIST, "a port or a list of them, e.g. [\"5432\", \"8080:80 latency=200ms\"]");
        }

        @Override
        Map<Integer, PortForward> parse(Map<Integer, PortForward> current, String text) {
            PortForward forward = PortForward.parse(text, name());
            if (current != null && current.containsKey(forward.sandboxPort())) {
                throw new SpecException(name() + " = \"" + text + "\": port " + forward.sandboxPort()
                        + " inside is forwarded twice (also by \"" + current.get(forward.sandboxPort())
                        + "\"); forward each port once");
            }
            return merge(current == null ? Map.of() : current, Map.of(forward.sandboxPort(), forward));
        }

        @Override
        Map<Integer, PortForward> merge(Map<Integer, PortForward> general, Map<Integer, PortForward> specific) {
            Map<Integer, PortForward> merged = new TreeMap<>(general);
            merged.putAll(specific);
            return merged;
        }

        @Override
        String format(Map<Integer, PortForward> forwards) {
            return yamlList(forwards.values().stream().map(PortForward::toString).toList());
        }

        @Override
        boolean isEmpty(Map<Integer, PortForward> forwards) {
            return forwards.isEmpty();
        }

        @Override
        Map<Integer, PortForward> view(Map<Integer, PortForward> forwards) {
            return Collections.unmodifiableMap(forwards);
        }
    }

    private static Attribute<Boolean> bool(String name) {
        return new Scalar<>(name, "true or false", text -> Values.bool(text, name), UnaryOperator.identity(),
                String::valueOf);
    }

    private static <E extends Enum<E>> Attribute<E> enumeration(String name, Class<E> type, String what) {
        List<String> names = Values.names(type);
        String expected = what + ": " + String.join(", ", names.subList(0, names.size() - 1)) + " or "
                + names.get(names.size() - 1);
        return new Scalar<>(name, expected, text -> Values.enumeration(type, text, name, what),
                UnaryOperator.identity(), Enum::name);
    }

    private static long positive(long bytes, String key) {
        if (bytes <= 0) {
            throw new SpecException(key + " = " + bytes + " is out of range: use a positive size, e.g. 64M");
        }
        return bytes;
    }

    private static Integer pidsInRange(Integer max) {
        if (max < 1) {
            throw new SpecException("pids = " + max + " is out of range: use a maximum of at least 1 process");
        }
        return max;
    }

    private static Integer cpuWeightInRange(Integer weight) {
        if (weight < 1 || weight > 10_000) {
            throw new SpecException("cpuWeight = " + weight + " is out of range: use 1 to 10000 (100 is the kernel's default)");
        }
        return weight;
    }

    private static Duration positiveTimeout(Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            throw new SpecException("timeout = " + duration + " is out of range: use a positive duration, e.g. 30s");
        }
        return duration;
    }

    private static Duration timeout(String text) {
        Duration timeout = Durations.parse(text, "timeout", "30s or 2m");
        if (timeout.isZero()) {
            throw new SpecException("timeout = \"" + text + "\" is out of range: use a positive duration, e.g. 30s or 2m");
        }
        return timeout;
    }

    private static Duration uptime(String text) {
        Duration offset = Durations.parse(text, "uptime", "30d or 3600s");
        if (offset.getNano() != 0 || offset.isZero()) {
            throw new SpecException("uptime = \"" + text + "\" is out of range: use whole seconds above 0,"
                    + " e.g. 30d or 3600s (time namespaces offset clocks by seconds)");
        }
        return offset;
    }

    /** A capability by its name in capabilities(7), with or without {@code CAP_}: kept as the bare name. */
    private static String capability(String name) {
        List<String> names = Arrays.stream(Capability.values()).map(Capability::name).toList();
        return Capability.named(name).map(Capability::name).orElseThrow(() -> new SpecException("capabilities = \""
                + name + "\" is not a capability" + Suggestions.didYouMean(name.trim().toUpperCase(Locale.ROOT), names)
                + "; use the names of capabilities(7) without CAP_, e.g. SYS_ADMIN or NET_ADMIN"));
    }

    private static String hidden(String path) {
        String absolute = absolute(path, "hidden");
        if (absolute.equals("/")) {
            throw new SpecException("hidden = \"/\" would hide everything, the JVM too: name the paths to hide");
        }
        return absolute;
    }

    /** {@code "/tmp"} (64M) or {@code "/tmp:16M"}, over a directory that exists. */
    private static Map.Entry<String, Long> tmpfs(String entry) {
        int colon = entry.indexOf(':');
        String path = absolute(colon < 0 ? entry : entry.substring(0, colon), "tmpfs");
        if (!Files.isDirectory(Path.of(path))) {
            throw new SpecException("tmpfs = \"" + entry + "\": " + path + " is not an existing directory; a tmpfs"
                    + " covers a directory that exists (Belljar creates nothing on the host)");
        }
        long size = colon < 0 ? SandboxSpec.DEFAULT_TMPFS_BYTES : Sizes.parse(entry.substring(colon + 1), "tmpfs size of " + path);
        return Map.entry(path, size);
    }

    /** One annotation entry: {@code "/data: write=1M, riops=100"}. */
    private static Map.Entry<String, IoThrottle> ioEntry(String entry) {
        int colon = entry.indexOf(':');
        if (colon < 0) {
            throw new SpecException("io = \"" + entry + "\" names no path: write \"/data: write=1M\"");
        }
        String path = entry.substring(0, colon).trim();
        return Map.entry(path, io(path, entry.substring(colon + 1).trim()));
    }

    private static IoThrottle io(String path, String throttle) {
        if (!path.startsWith("/")) {
            throw new SpecException("io path \"" + path + "\" is not absolute: name a path such as /tmp or /data");
        }
        return IoThrottle.parse(throttle, "io[" + path + "]");
    }

    private static String ioMap(Map<String, IoThrottle> throttles) {
        StringBuilder entries = new StringBuilder("{ ");
        throttles.forEach((path, throttle) -> entries.append(entries.length() > 2 ? ", " : "")
                .append(quoted(path)).append(": ").append(quoted(throttle.toString())));
        return entries.append(" }").toString();
    }

    private static String absolute(String path, String key) {
        String trimmed = path.trim();
        if (!trimmed.startsWith("/") || trimmed.contains("/../") || trimmed.endsWith("/..")) {
            throw new SpecException(key + " = \"" + path + "\" is not an absolute path: use e.g. /tmp or /var/data");
        }
        return trimmed.length() > 1 && trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }

    private static String yamlList(List<String> items) {
        return "[" + String.join(", ", items.stream().map(Attribute::quoted).toList()) + "]";
    }

    private static String quoted(String text) {
        return "\"" + text + "\"";
    }

    private static String stripZeros(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
