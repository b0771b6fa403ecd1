package dev.belljar.internal;

import dev.belljar.spec.Attribute;
import dev.belljar.spec.SandboxSpec;
import dev.belljar.spec.SpecException;
import dev.belljar.spec.Values;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.ConfigurationParameters;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Belljar's configuration keys, read from {@code junit-platform.properties} or system properties,
 * parsed once per test run (kept in the root context's store) into the values the run uses. A bad
 * value does not stop the parsing: the setting that has it throws its error wherever it is used.
 */
public final class Configuration {
    /**
     * Prefix of configuration defaults for every sandbox: {@code belljar.default.memory=256M},
     * {@code belljar.default.net=PRIVATE}, ... with the names and syntax of the single-valued
     * {@code @Isolated} attributes ({@link Attribute#all()}).
     */
    static final String DEFAULT_SPEC_PREFIX = "belljar.default.";
    /** Timeout of an isolated test that declares none, unless {@code belljar.default.timeout} sets another. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    /** {@code abort} (default) or {@code fail}: what a spec this host cannot enforce does to the test. */
    static final String UNENFORCEABLE_PROPERTY_NAME = "belljar.unenforceable";
    /** A cgroup directory to create sandboxes under, instead of the test JVM's own cgroup. */
    static final String CGROUP_PARENT_PROPERTY_NAME = "belljar.cgroup.parent";
    /** {@code true} (default) or {@code false}: whether children start from a class-data-sharing archive. */
    static final String CLASS_DATA_SHARING_PROPERTY_NAME = "belljar.child.cds";
    /**
     * {@code true} (default) or {@code false}: whether children are restored from warm templates
     * with CRIU where the host allows it.
     */
    public static final String RESTORE_PROPERTY_NAME = "belljar.child.restore";
    /**
     * {@code true} (default) or {@code false}: whether the next child of a sandbox used more than
     * once is started ahead, while the current test runs.
     */
    static final String PRESTART_PROPERTY_NAME = "belljar.child.prestart";
    /** {@code true} (default) or {@code false}: whether the run writes the HTML report. */
    public static final String REPORT_PROPERTY_NAME = "belljar.report";
    /**
     * Where the report files go, relative to the working directory. By default {@code target/belljar}
     * of the build's top directory where Maven runs the tests, so that every module of a build adds
     * to one report; else of the working directory.
     */
    public static final String REPORT_DIRECTORY_PROPERTY_NAME = "belljar.report.dir";
    static final String DEFAULT_REPORT_DIRECTORY = "target/belljar";
    /** {@code true} (default) or {@code false}: whether the end of the run prints the per-test summary. */
    public static final String SUMMARY_PROPERTY_NAME = "belljar.summary";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Configuration.class);

    private final Setting<SandboxSpec> defaults;
    private final Setting<Boolean> failUnenforceable;
    private final Setting<Boolean> prestart;
    private final Setting<Boolean> classDataSharing;
    private final Setting<Boolean> restore;
    private final Setting<Optional<Path>> cgroupParent;
    private final Setting<Boolean> report;
    private final Setting<Path> reportDirectory;
    private final Setting<Boolean> summary;

    private Configuration(Function<String, Optional<String>> parameters) {
        defaults = Setting.of(() -> defaults(parameters));
        failUnenforceable = Setting.of(() -> failUnenforceable(parameters));
        prestart = Setting.of(() -> bool(parameters, PRESTART_PROPERTY_NAME));
        classDataSharing = Setting.of(() -> bool(parameters, CLASS_DATA_SHARING_PROPERTY_NAME));
        restore = Setting.of(() -> bool(parameters, RESTORE_PROPERTY_NAME));
        cgroupParent = Setting.of(() -> parameters.apply(CGROUP_PARENT_PROPERTY_NAME)
                .map(value -> path(value, CGROUP_PARENT_PROPERTY_NAME, "belljar")));
        report = Setting.of(() -> bool(parameters, REPORT_PROPERTY_NAME));
        reportDirectory = Setting.of(() -> parameters.apply(REPORT_DIRECTORY_PROPERTY_NAME)
                .map(value -> path(value, REPORT_DIRECTORY_PROPERTY_NAME, DEFAULT_REPORT_DIRECTORY))
                .orElseGet(Configuration::defaultReportDirectory));
        summary = Setting.of(() -> bool(parameters, SUMMARY_PROPERTY_NAME));
    }

    static Path defaultReportDirectory() {
        return MavenBuild.ofThisJvm().map(build -> build.projectDirectory().resolve(DEFAULT_REPORT_DIRECTORY))
                .orElse(Path.of(DEFAULT_REPORT_DIRECTORY));
    }

    /** This test run's configuration, parsed by the first caller. */
    public static Configuration of(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Configuration.class,
                key -> new Configuration(context::getConfigurationParameter), Configuration.class);
    }

    /** For launcher listeners, which see the parameters but no extension context. */
    public static Configuration of(ConfigurationParameters parameters) {
        return new Configuration(parameters::get);
    }

    /** From any source of parameters, e.g. a map in a unit test. */
    public static Configuration of(Function<String, Optional<String>> parameters) {
        return new Configuration(parameters);
    }

    /**
     * Throws the error of the first setting with a bad value, so that a sandbox refuses to start with
     * it, whether or not it reads that setting itself (the report and summary are read after the run).
     */
    public void requireValid() {
        for (Setting<?> setting : List.of(defaults, failUnenforceable, prestart, classDataSharing, restore, cgroupParent, report,
                reportDirectory, summary)) {
            setting.get();
        }
    }

    /** The sandbox defaults from {@code belljar.default.*}; the timeout falls back to {@link #DEFAULT_TIMEOUT}. */
    public SandboxSpec defaults() {
        return defaults.get();
    }

    /** Whether a spec this host cannot enforce fails the test ({@code belljar.unenforceable=fail}) instead of aborting it. */
    public boolean failUnenforceable() {
        return failUnenforceable.get();
    }

    public boolean prestart() {
        return prestart.get();
    }

    public boolean classDataSharing() {
        return classDataSharing.get();
    }

    public boolean restore() {
        return restore.get();
    }

    public Optional<Path> cgroupParent() {
        return cgroupParent.get();
    }

    public boolean report() {
        return report.get();
    }

    public Path reportDirectory() {
        return reportDirectory.get();
    }

    public boolean summary() {
        return summary.get();
    }

    private static SandboxSpec defaults(Function<String, Optional<String>> parameters) {
        SandboxSpec.Builder b = SandboxSpec.builder().timeout(DEFAULT_TIMEOUT);
        for (Attribute<?> attribute : Attribute.all()) {
            if (!attribute.isSingleValued()) {
                continue;
            }
            String name = DEFAULT_SPEC_PREFIX + attribute.name();
            parameters.apply(name).ifPresent(value -> {
                try {
                    b.set(attribute, value);
                } catch (SpecException e) {
                    throw e.at(attribute.name(), "configuration parameter " + name);
                }
            });
        }
        return b.build();
    }

    private static boolean failUnenforceable(Function<String, Optional<String>> parameters) {
        String value = parameters.apply(UNENFORCEABLE_PROPERTY_NAME).orElse("abort");
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "abort" -> false;
            case "fail" -> true;
            default -> throw new SpecException("configuration parameter " + UNENFORCEABLE_PROPERTY_NAME + " = \""
                    + value + "\" is not allowed: use abort (the default) or fail");
        };
    }

    /** A directory; {@code example} shows one in the message. */
    private static Path path(String value, String name, String example) {
        if (value.isBlank()) {
            throw new SpecException("configuration parameter " + name + " = \"" + value + "\" is blank: name a directory,"
                    + " e.g. " + example + ", or leave the key out");
        }
        try {
            return Path.of(value.trim());
        } catch (InvalidPathException e) {
            throw new SpecException("configuration parameter " + name + " = \"" + value + "\" is not a path ("
                    + e.getReason() + "): name a directory, e.g. " + example);
        }
    }

    /** A switch that is on unless set otherwise. */
    private static boolean bool(Function<String, Optional<String>> parameters, String name) {
        try {
            return parameters.apply(name).map(value -> Values.bool(value, name)).orElse(true);
        } catch (SpecException e) {
            throw e.at(name, "configuration parameter " + name);
        }
    }

    /** A parsed value, or the error its text gave, thrown anew to each caller. */
    private record Setting<T>(T value, SpecException error) {
        static <T> Setting<T> of(Supplier<T> parse) {
            try {
                return new Setting<>(parse.get(), null);
            } catch (SpecException e) {
                return new Setting<>(null, e);
            }
        }

        T get() {
            if (error != null) {
                throw new SpecException(error.getMessage());
            }
            return value;
        }
    }
}
