package dev.belljar.internal;

import dev.belljar.spec.Durations;
import dev.belljar.spec.SpecException;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Belljar's configuration keys, read from {@code junit-platform.properties} or system properties.
 */
final class Configuration {
    /** Timeout of an isolated test that declares none. */
    static final String DEFAULT_TIMEOUT_PROPERTY_NAME = "belljar.timeout.default";
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    /** {@code abort} (default) or {@code fail}: what a spec this host cannot enforce does to the test. */
    static final String UNENFORCEABLE_PROPERTY_NAME = "belljar.unenforceable";
    /** A cgroup directory to create sandboxes under, instead of the test JVM's own cgroup. */
    static final String CGROUP_PARENT_PROPERTY_NAME = "belljar.cgroup.parent";

    private Configuration() {
    }

    static Duration defaultTimeout(ExtensionContext context) {
        return context.getConfigurationParameter(DEFAULT_TIMEOUT_PROPERTY_NAME)
                .map(value -> {
                    try {
                        return Durations.parse(value, DEFAULT_TIMEOUT_PROPERTY_NAME);
                    } catch (SpecException e) {
                        throw e.in("configuration parameter");
                    }
                })
                .orElse(DEFAULT_TIMEOUT);
    }

    static boolean failUnenforceable(ExtensionContext context) {
        String value = context.getConfigurationParameter(UNENFORCEABLE_PROPERTY_NAME).orElse("abort")
                .trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "abort" -> false;
            case "fail" -> true;
            default -> throw new SpecException("configuration parameter " + UNENFORCEABLE_PROPERTY_NAME + " = \""
                    + value + "\" is not allowed: use abort (the default) or fail");
        };
    }

    static Optional<Path> cgroupParent(ExtensionContext context) {
        return context.getConfigurationParameter(CGROUP_PARENT_PROPERTY_NAME).map(Path::of);
    }
}
