package dev.belljar.spec;

import dev.belljar.Net;
import dev.belljar.User;
import dev.belljar.Outcome;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Reads one spec, a map with the {@code @Isolated} attributes as keys, in the annotation's value
 * syntax. The values are parsed by {@link SandboxSpec.Builder} and {@link Expectation}, so YAML and
 * annotations accept the same text; this class adds the types YAML has and the location of errors.
 */
final class YamlSpecReader {
    /** The keys with a single value, in the order people read them: what the value must be and its setter. */
    private static final Map<String, Setting> SETTINGS = settings();
    private static final String EXPECT = "expect";
    private static final String IO = "io";
    private static final String EXTENDS = "extends";
    private static final List<String> KEYS = keys();
    private static final List<String> EXPECTATION_KEYS = expectationKeys();

    /** A spec as written: its own values and the profile it {@code extends:}, if any. */
    record Declared(SandboxSpec own, Optional<Parent> parent) {
    }

    /** The profile named by {@code extends:}, and the element that names it, for errors. */
    record Parent(String name, YamlElement declaredAt) {
    }

    private record Setting(String expected, BiConsumer<SandboxSpec.Builder, String> parse) {
    }

    private YamlSpecReader() {
    }

    static Declared read(YamlElement spec) {
        SandboxSpec.Builder builder = SandboxSpec.builder();
        Parent parent = null;
        for (YamlElement entry : spec.entries("a map of settings, e.g. { memory: 64M, pids: 64 }", KEYS)) {
            switch (entry.key()) {
                case EXPECT -> builder.expect(readExpectation(entry));
                case IO -> readIo(entry, builder);
                case "readOnly", "writable", "tmpfs", "hidden" -> readPaths(entry, builder);
                case EXTENDS -> parent = new Parent(entry.scalar("the name of a profile in belljar.yaml"), entry);
                default -> {
                    Setting setting = SETTINGS.get(entry.key());
                    String text = entry.scalar(setting.expected());
                    try {
                        setting.parse().accept(builder, text);
                    } catch (SpecException e) {
                        throw entry.locate(e);
                    }
                }
            }
        }
        return new Declared(builder.build(), Optional.ofNullable(parent));
    }

    /** {@code readOnly: [/]}, {@code tmpfs: ["/tmp:16M"]}: one path or a list of them. */
    private static void readPaths(YamlElement entry, SandboxSpec.Builder builder) {
        for (String path : entry.scalars("a path or a list of paths, e.g. [/tmp, /var/data]")) {
            try {
                switch (entry.key()) {
                    case "readOnly" -> builder.readOnly(path);
                    case "writable" -> builder.writable(path);
                    case "tmpfs" -> builder.tmpfs(path);
                    default -> builder.hidden(path);
                }
            } catch (SpecException e) {
                throw entry.locate(e);
            }
        }
    }

    /** {@code io: { /data: "write=1M, riops=100" }}: the block device behind each path is throttled. */
    private static void readIo(YamlElement io, SandboxSpec.Builder builder) {
        for (YamlElement entry : io.entries("a map from a path to its I/O limits, e.g. { /data: \"write=1M\" }")) {
            String text = entry.scalar("I/O limits, e.g. \"write=1M, riops=100\"");
            try {
                builder.io(entry.key(), text);
            } catch (SpecException e) {
                throw entry.locate(e);
            }
        }
    }

    private static Expectation readExpectation(YamlElement expect) {
        Expectation expectation = Expectation.none();
        for (YamlElement entry : expect.entries(
                "a map of expectations, e.g. { outcome: OOM_KILLED, peakMemory: \"< 48M\" }", EXPECTATION_KEYS)) {
            boolean outcome = entry.key().equals("outcome");
            String text = entry.scalar(outcome ? "an outcome, e.g. OOM_KILLED" : "a bound, e.g. \"< 48M\"");
            try {
                expectation = outcome
                        ? expectation.withOutcome(parseEnum(Outcome.class, entry.key(), text, "an outcome"))
                        : expectation.with(entry.key(), text);
            } catch (SpecException e) {
                throw entry.locate(e);
            }
        }
        return expectation;
    }

    private static int parseInt(String key, String text) {
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new SpecException(key + " = \"" + text + "\" is not a whole number: use e.g. 64");
        }
        if (value > Integer.MAX_VALUE) {
            throw new SpecException(key + " = \"" + text + "\" is out of range: at most " + Integer.MAX_VALUE);
        }
        return (int) value;
    }

    /** Enum values as in Java, case-insensitive, as the contract says. */
    private static <E extends Enum<E>> E parseEnum(Class<E> type, String key, String text, String what) {
        List<String> names = Arrays.stream(type.getEnumConstants()).map(Enum::name).toList();
        String upper = text.trim().toUpperCase(Locale.ROOT);
        if (!names.contains(upper)) {
            throw new SpecException(key + " = \"" + text + "\" is not " + what + Suggestions.didYouMean(text, names)
                    + "; allowed: " + String.join(", ", names) + " (case-insensitive)");
        }
        return Enum.valueOf(type, upper);
    }

    /** YAML 1.1, which SnakeYAML speaks, also spells booleans yes/no and on/off. */
    private static boolean parseBoolean(String key, String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new SpecException(key + " = \"" + text + "\" is not a boolean: use true or false");
        };
    }

    private static Map<String, Setting> settings() {
        Map<String, Setting> settings = new LinkedHashMap<>();
        settings.put("memory", new Setting("a size, e.g. 64M", SandboxSpec.Builder::memory));
        settings.put("swap", new Setting("a size, e.g. 128M, or 0 for none", SandboxSpec.Builder::swap));
        settings.put("cpu", new Setting("a number of cores, e.g. 0.5 or 2", SandboxSpec.Builder::cpu));
        settings.put("pids", new Setting("a whole number of processes and threads, e.g. 64",
                (b, text) -> b.pids(parseInt("pids", text))));
        settings.put("net", new Setting("a network: HOST, PRIVATE or NONE",
                (b, text) -> b.net(parseEnum(Net.class, "net", text, "a network"))));
        settings.put("pid", new Setting("true or false", (b, text) -> b.pidNamespace(parseBoolean("pid", text))));
        settings.put("hostname", new Setting("a host name, e.g. sandbox-1", SandboxSpec.Builder::hostname));
        settings.put("timeout", new Setting("a duration, e.g. 30s", SandboxSpec.Builder::timeout));
        settings.put("domainname", new Setting("a domain name, e.g. example.test", SandboxSpec.Builder::domainname));
        settings.put("user", new Setting("a user: CALLER, ROOT or NOBODY",
                (b, text) -> b.user(parseEnum(User.class, "user", text, "a user"))));
        settings.put("uptime", new Setting("a duration in whole seconds, e.g. 30d", SandboxSpec.Builder::uptime));
        settings.put("memoryHigh", new Setting("a size, e.g. 48M", SandboxSpec.Builder::memoryHigh));
        settings.put("cpuWeight", new Setting("a weight from 1 to 10000, e.g. 300",
                (b, text) -> b.cpuWeight(parseInt("cpuWeight", text))));
        settings.put("cpuset", new Setting("a CPU list, e.g. \"0-1\"", SandboxSpec.Builder::cpuset));
        settings.put("cgroupNamespace", new Setting("true or false",
                (b, text) -> b.cgroupNamespace(parseBoolean("cgroupNamespace", text))));
        return settings;
    }

    private static List<String> keys() {
        List<String> keys = new ArrayList<>(SETTINGS.keySet());
        keys.add(IO);
        keys.addAll(List.of("readOnly", "writable", "tmpfs", "hidden"));
        keys.add(EXPECT);
        keys.add(EXTENDS);
        return List.copyOf(keys);
    }

    private static List<String> expectationKeys() {
        List<String> keys = new ArrayList<>();
        keys.add("outcome");
        keys.addAll(Metric.keys());
        return List.copyOf(keys);
    }
}
