package dev.belljar.spec;

import java.util.function.Function;

/**
 * A spec file named by {@code @Isolated(spec = ...)}: one spec at the top level, which may
 * {@code extends:} a profile of belljar.yaml.
 */
final class YamlSpecFile {
    private YamlSpecFile() {
    }

    /**
     * Parses {@code text}; {@code source} names the file in error messages and {@code profiles} looks up
     * the profile it extends, throwing {@link SpecException} when there is none.
     */
    static SandboxSpec parse(String text, String source, Function<String, SandboxSpec> profiles) {
        YamlSpecReader.Declared spec = YamlSpecReader.read(YamlElement.parse(text, source));
        // An empty file (or one with only comments) is a mistake far more often than a wish for no limits.
        if (spec.parent().isEmpty() && spec.own().equals(SandboxSpec.empty())) {
            throw new SpecException("spec file " + source + " declares no settings: write at least one, e.g."
                    + " memory: 64M, or extends: a profile of belljar.yaml; a test that needs none leaves spec out");
        }
        return spec.parent().map(parent -> {
            SandboxSpec base;
            try {
                base = profiles.apply(parent.name());
            } catch (SpecException e) {
                YamlElement at = parent.declaredAt();
                throw at.error(at.path() + " = \"" + parent.name() + "\": " + e.getMessage());
            }
            return base.overriddenBy(spec.own());
        }).orElse(spec.own());
    }
}
