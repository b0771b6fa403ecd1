package dev.belljar.internal;

import dev.belljar.Net;
import dev.belljar.spec.SandboxSpec;
import dev.belljar.spec.SpecException;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Belljar's configuration keys, read from {@code junit-platform.properties} or system properties.
 */
final class Configuration {
    /**
     * Prefix of configuration defaults for every sandbox: {@code belljar.default.memory=256M},
     * {@code belljar.default.net=PRIVATE}, ... with the {@code @Isolated} attribute names and syntax.
     */
    static final String DEFAULT_SPEC_PREFIX = "belljar.default.";
    /** Timeout of an isolated test that declares none. */
    static final String DEFAULT_TIMEOUT_PROPERTY_NAME = DEFAULT_SPEC_PREFIX + "timeout";
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    /** {@code abort} (default) or {@code fail}: what a spec this host cannot enforce does to the test. */
    static final String UNENFORCEABLE_PROPERTY_NAME = "belljar.unenforceable";
    /** A cgroup directory to create sandboxes under, instead of the test JVM's own cgroup. */
    static final String CGROUP_PARENT_PROPERTY_NAME = "belljar.cgroup.parent";

    private Configuration() {
    }

    /** The sandbox defaults from {@code belljar.default.*}; the timeout falls back to {@link #DEFAULT_TIMEOUT}. */
    static SandboxSpec defaults(ExtensionContext context) {
        SandboxSpec.Builder b = SandboxSpec.builder().timeout(DEFAULT_TIMEOUT);
        setDefault(context, "memory", b::memory);
        setDefault(context, "swap", b::swap);
        setDefault(context, "cpu", b::cpu);
        setDefault(context, "pids", value -> b.pids(integer(value)));
        setDefault(context, "net", value -> b.net(net(value)));
        setDefault(context, "pid", value -> b.pidNamespace(bool(value)));
        setDefault(context, "hostname", b::hostname);
        setDefault(context, "timeout", b::timeout);
        setDefault(context, "domainname", b::domainname);
        setDefault(context, "user", value -> b.user(user(value)));
        setDefault(context, "uptime", b::uptime);
        setDefault(context, "memoryHigh", b::memoryHigh);
        setDefault(context, "cpuWeight", value -> b.cpuWeight(integer(value)));
        setDefault(context, "cpuset", b::cpuset);
        return b.build();
    }

    private static void setDefault(ExtensionContext context, String key, Consumer<String> setter) {
        String name = DEFAULT_SPEC_PREFIX + key;
        context.getConfigurationParameter(name).ifPresent(value -> {
            try {
                setter.accept(value);
            } catch (SpecException e) {
                throw e.in("configuration parameter " + name);
            }
        });
    }

    private static int integer(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new SpecException("\"" + value + "\" is not a whole number");
        }
    }

    private static Net net(String value) {
        try {
            return Net.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new SpecException("\"" + value + "\" is not a network: use HOST, PRIVATE or NONE");
        }
    }

    private static dev.belljar.User user(String value) {
        try {
            return dev.belljar.User.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new SpecException("\"" + value + "\" is not a user: use CALLER, ROOT or NOBODY");
        }
    }

    private static boolean bool(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new SpecException("\"" + value + "\" is not a boolean: use true or false");
        };
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

    /** {@code true} (default) or {@code false}: whether the run writes the HTML report. */
    static final String REPORT_PROPERTY_NAME = "belljar.report";
    /** Where the HTML report goes, relative to the working directory: {@code target/belljar} by default. */
    static final String REPORT_DIRECTORY_PROPERTY_NAME = "belljar.report.dir";
    static final String DEFAULT_REPORT_DIRECTORY = "target/belljar";

    /** {@code true} (default) or {@code false}: whether children start from a class-data-sharing archive. */
    static final String CLASS_DATA_SHARING_PROPERTY_NAME = "belljar.child.cds";

    /**
     * {@code true} (default) or {@code false}: whether the next child of a sandbox used more than
     * once is started ahead, while the current test runs.
     */
    static final String PRESTART_PROPERTY_NAME = "belljar.child.prestart";

    static boolean prestart(ExtensionContext context) {
        return context.getConfigurationParameter(PRESTART_PROPERTY_NAME).map(v -> bool(v.trim())).orElse(true);
    }

    static boolean classDataSharing(ExtensionContext context) {
        return context.getConfigurationParameter(CLASS_DATA_SHARING_PROPERTY_NAME).map(v -> bool(v.trim()))
                .orElse(true);
    }

    static Optional<Path> cgroupParent(ExtensionContext context) {
        return context.getConfigurationParameter(CGROUP_PARENT_PROPERTY_NAME).map(Path::of);
    }
}
