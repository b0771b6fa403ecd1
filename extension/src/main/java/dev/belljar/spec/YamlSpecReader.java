package dev.belljar.spec;

import dev.belljar.Outcome;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads one spec, a map with the {@code @Isolated} attributes as keys, in the annotation's value
 * syntax. The values are parsed by {@link Attribute} and {@link Expectation}, so YAML and
 * annotations accept the same text; this class adds the types YAML has and the location of errors.
 */
final class YamlSpecReader {
    private static final String EXPECT = "expect";
    private static final String EXTENDS = "extends";
    private static final List<String> KEYS = keys();
    private static final List<String> EXPECTATION_KEYS = expectationKeys();

    /** A spec as written: its own values and the profile it {@code extends:}, if any. */
    record Declared(SandboxSpec own, Optional<Parent> parent) {
    }

    /** The profile named by {@code extends:}, and the element that names it, for errors. */
    record Parent(String name, YamlElement declaredAt) {
    }

    private YamlSpecReader() {
    }

    static Declared read(YamlElement spec) {
        SandboxSpec.Builder builder = SandboxSpec.builder();
        Parent parent = null;
        for (YamlElement entry : spec.entries("a map of settings, e.g. { memory: 64M, pids: 64 }", KEYS)) {
            switch (entry.key()) {
                case EXPECT -> builder.expect(readExpectation(entry));
                case EXTENDS -> parent = new Parent(entry.scalar("the name of a profile in belljar.yaml"), entry);
                default -> readAttribute(Attribute.byName(entry.key()).orElseThrow(), entry, builder);
            }
        }
        return new Declared(builder.build(), Optional.ofNullable(parent));
    }

    /**
     * {@code memory: 64M}; {@code readOnly: [/]} or {@code tmpfs: "/tmp:16M"} (one entry or a list);
     * {@code io: { /data: "write=1M, riops=100" }} (a map from a path to its value).
     */
    private static void readAttribute(Attribute<?> attribute, YamlElement entry, SandboxSpec.Builder builder) {
        switch (attribute.shape()) {
            case SCALAR -> {
                String text = entry.scalar(attribute.expected());
                set(entry, entry, () -> builder.set(attribute, text));
            }
            case LIST -> {
                for (String text : entry.scalars(attribute.expected())) {
                    set(entry, entry, () -> builder.set(attribute, text));
                }
            }
            case MAP -> {
                for (YamlElement item : entry.entries(attribute.expected())) {
                    String text = item.scalar(attribute.valueExpected());
                    set(item, entry, () -> builder.set(attribute, item.key(), text));
                }
            }
        }
    }

    /**
     * Runs {@code setter}, placing what it rejects on the line of {@code at}, under the path of the
     * attribute's entry {@code named} (a map's value is reported as {@code io[/data].write}).
     */
    private static void set(YamlElement at, YamlElement named, Runnable setter) {
        try {
            setter.run();
        } catch (SpecException e) {
            throw at.error(e.at(named.key(), named.path()).getMessage());
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
                        ? expectation.withOutcome(Values.enumeration(Outcome.class, text, entry.key(), "an outcome"))
                        : expectation.with(entry.key(), text);
            } catch (SpecException e) {
                throw entry.locate(e);
            }
        }
        return expectation;
    }

    private static List<String> keys() {
        List<String> keys = new ArrayList<>();
        Attribute.all().forEach(attribute -> keys.add(attribute.name()));
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
