package dev.belljar.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The profiles of one {@code belljar.yaml}, each with its {@code extends:} chain applied. The whole
 * file is validated and resolved when it is parsed, so that a mistake in any profile fails every test
 * that uses the file, before anything runs. Immutable, so one instance serves parallel tests.
 */
final class YamlProfiles {
    private final String source;
    private final Map<String, SandboxSpec> profiles;

    private YamlProfiles(String source, Map<String, SandboxSpec> profiles) {
        this.source = source;
        this.profiles = profiles;
    }

    /** Parses {@code text}, the content of a belljar.yaml; {@code source} names it in error messages. */
    static YamlProfiles parse(String text, String source) {
        Map<String, YamlSpecReader.Declared> declared = new LinkedHashMap<>();
        YamlElement root = YamlElement.parse(text, source);
        for (YamlElement top : root.entries("a map with the key profiles, e.g. profiles: { tiny: { memory: 64M } }",
                List.of("profiles"))) {
            for (YamlElement profile : top.entries("a map from profile name to spec, e.g. { tiny: { memory: 64M } }")) {
                declared.put(profile.key(), YamlSpecReader.read(profile));
            }
        }
        return new YamlProfiles(source, Collections.unmodifiableMap(new Resolution(source, declared).resolveAll()));
    }

    /** The profile called {@code name}; an unknown name is an error listing the profiles there are. */
    SandboxSpec profile(String name) {
        SandboxSpec profile = profiles.get(name);
        if (profile == null) {
            throw new SpecException(noSuchProfile(name, source, profiles.keySet()));
        }
        return profile;
    }

    private static String noSuchProfile(String name, String source, Set<String> names) {
        return "no profile \"" + name + "\" in " + source + Suggestions.didYouMean(name, names)
                + (names.isEmpty() ? "; it declares none" : "; its profiles: " + String.join(", ", names));
    }

    /** Applies {@code extends:} chains, depth first, and rejects unknown parents and cycles. */
    private static final class Resolution {
        private final String source;
        private final Map<String, YamlSpecReader.Declared> declared;
        private final Map<String, SandboxSpec> resolved = new LinkedHashMap<>();
        /** The profiles being resolved, each extending the next: where a cycle shows. */
        private final List<String> chain = new ArrayList<>();

        Resolution(String source, Map<String, YamlSpecReader.Declared> declared) {
            this.source = source;
            this.declared = declared;
        }

        Map<String, SandboxSpec> resolveAll() {
            // Resolving in file order makes the reported error the first one in the file.
            declared.keySet().forEach(this::resolve);
            Map<String, SandboxSpec> inFileOrder = new LinkedHashMap<>();
            declared.keySet().forEach(name -> inFileOrder.put(name, resolved.get(name)));
            return inFileOrder;
        }

        private SandboxSpec resolve(String name) {
            SandboxSpec done = resolved.get(name);
            if (done != null) {
                return done;
            }
            chain.add(name);
            YamlSpecReader.Declared profile = declared.get(name);
            SandboxSpec spec = profile.parent().map(parent -> {
                YamlElement at = parent.declaredAt();
                if (!declared.containsKey(parent.name())) {
                    throw at.error(at.path() + " = \"" + parent.name() + "\": "
                            + noSuchProfile(parent.name(), source, declared.keySet()));
                }
                if (chain.contains(parent.name())) {
                    List<String> cycle = new ArrayList<>(chain.subList(chain.indexOf(parent.name()), chain.size()));
                    cycle.add(parent.name());
                    throw at.error(at.path() + " = \"" + parent.name() + "\" makes a cycle: " + String.join(" -> ", cycle)
                            + "; a profile cannot extend itself, directly or through others");
                }
                return resolve(parent.name()).overriddenBy(profile.own());
            }).orElse(profile.own());
            chain.remove(chain.size() - 1);
            resolved.put(name, spec);
            return spec;
        }
    }
}
