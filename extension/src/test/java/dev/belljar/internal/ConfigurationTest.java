package dev.belljar.internal;

import dev.belljar.Net;
import dev.belljar.spec.Attribute;
import dev.belljar.spec.SandboxSpec;
import dev.belljar.spec.SpecException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Configuration parameters as the run sees them, from a map; no engine. */
class ConfigurationTest {

    private static Configuration of(String... keysAndValues) {
        Map<String, String> parameters = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            parameters.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return Configuration.of(key -> Optional.ofNullable(parameters.get(key)));
    }

    @Test
    void defaultsWhenNothingIsSet() {
        Configuration configuration = of();
        assertThat(configuration.defaults()).isEqualTo(SandboxSpec.builder().timeout(Duration.ofMinutes(10)).build());
        assertThat(configuration.failUnenforceable()).isFalse();
        assertThat(configuration.prestart()).isTrue();
        assertThat(configuration.classDataSharing()).isTrue();
        assertThat(configuration.cgroupParent()).isEmpty();
        assertThat(configuration.report()).isTrue();
        assertThat(configuration.reportDirectory()).isEqualTo(MavenBuild.ofThisJvm()
                .map(build -> build.projectDirectory().resolve("target/belljar")).orElse(Path.of("target/belljar")));
        assertThat(configuration.summary()).isTrue();
    }

    @Test
    void readsEveryKey() {
        Configuration configuration = of("belljar.default.memory", "256M", "belljar.default.net", "private",
                "belljar.default.timeout", "2m", "belljar.unenforceable", "FAIL", "belljar.child.prestart", "no",
                "belljar.child.cds", "off", "belljar.cgroup.parent", "belljar", "belljar.report", "false",
                "belljar.report.dir", "build/bj", "belljar.summary", "False");
        assertThat(configuration.defaults().memoryBytes()).hasValue(256L << 20);
        assertThat(configuration.defaults().net()).isEqualTo(Net.PRIVATE);
        assertThat(configuration.defaults().timeout()).hasValue(Duration.ofMinutes(2));
        assertThat(configuration.failUnenforceable()).isTrue();
        assertThat(configuration.prestart()).isFalse();
        assertThat(configuration.classDataSharing()).isFalse();
        assertThat(configuration.cgroupParent()).hasValue(Path.of("belljar"));
        assertThat(configuration.report()).isFalse();
        assertThat(configuration.reportDirectory()).isEqualTo(Path.of("build/bj"));
        assertThat(configuration.summary()).isFalse();
    }

    /** A test of the table: configuration reads every single-valued attribute, in the same syntax as YAML. */
    @Test
    void everySingleValuedAttributeIsADefault() {
        Map<String, String> values = Map.ofEntries(Map.entry("memory", "64M"), Map.entry("swap", "0"),
                Map.entry("cpu", "2"), Map.entry("pids", "10"), Map.entry("net", "none"), Map.entry("pid", "off"),
                Map.entry("hostname", "h"), Map.entry("timeout", "1m"), Map.entry("domainname", "d.test"),
                Map.entry("user", "root"), Map.entry("uptime", "1d"), Map.entry("memoryHigh", "32M"),
                Map.entry("cpuWeight", "50"), Map.entry("cpuset", "0"), Map.entry("cgroupNamespace", "yes"),
                Map.entry("privileged", "no"), Map.entry("netFaults", "rate=1M"), Map.entry("reuse", "class"));
        List<Attribute<?>> singleValued = Attribute.all().stream().filter(Attribute::isSingleValued).toList();
        assertThat(values.keySet()).containsExactlyInAnyOrderElementsOf(singleValued.stream().map(Attribute::name).toList());
        SandboxSpec defaults = Configuration.of(key -> key.startsWith(Configuration.DEFAULT_SPEC_PREFIX)
                ? Optional.ofNullable(values.get(key.substring(Configuration.DEFAULT_SPEC_PREFIX.length())))
                : Optional.empty()).defaults();
        assertThat(singleValued).allSatisfy(attribute -> assertThat(defaults.get(attribute)).as(attribute.name()).isPresent());
    }

    @Test
    void aBadValueNamesTheKeyAndIsThrownWhereItIsUsed() {
        Configuration configuration = of("belljar.default.net", "INTERNET", "belljar.child.cds", "maybe",
                "belljar.unenforceable", "ignore");
        assertThat(configuration.prestart()).as("other settings still work").isTrue();
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(configuration::defaults).isInstanceOf(SpecException.class)
                    .hasMessage("configuration parameter belljar.default.net = \"INTERNET\" is not a network;"
                            + " allowed: HOST, PRIVATE, NONE (case-insensitive)");
        }
        assertThatThrownBy(configuration::classDataSharing)
                .hasMessage("configuration parameter belljar.child.cds = \"maybe\" is not a boolean: use true or false");
        assertThatThrownBy(configuration::failUnenforceable).hasMessage("configuration parameter"
                + " belljar.unenforceable = \"ignore\" is not allowed: use abort (the default) or fail");
        assertThatThrownBy(() -> of("belljar.default.memory", "64Q").defaults())
                .hasMessageStartingWith("configuration parameter belljar.default.memory = \"64Q\" is not a size");
        assertThatThrownBy(() -> of("belljar.default.pids", "0").defaults())
                .hasMessage("configuration parameter belljar.default.pids = 0 is out of range:"
                        + " use a maximum of at least 1 process");
    }

    /** Every key names itself, whichever setting it is, and echoes the value as written. */
    @Test
    void everyKeyNamesItselfInItsError() {
        Map<String, Function<Configuration, Object>> switches = Map.of("belljar.child.prestart", Configuration::prestart,
                "belljar.child.cds", Configuration::classDataSharing, "belljar.report", Configuration::report,
                "belljar.summary", Configuration::summary);
        switches.forEach((key, setting) -> assertThatThrownBy(() -> setting.apply(of(key, "maybe"))).as(key)
                .isInstanceOf(SpecException.class)
                .hasMessage("configuration parameter " + key + " = \"maybe\" is not a boolean: use true or false"));
        assertThatThrownBy(() -> of("belljar.unenforceable", " Ignore ").failUnenforceable()).hasMessage("configuration"
                + " parameter belljar.unenforceable = \" Ignore \" is not allowed: use abort (the default) or fail");
        assertThatThrownBy(() -> of("belljar.cgroup.parent", " ").cgroupParent()).hasMessage("configuration parameter"
                + " belljar.cgroup.parent = \" \" is blank: name a directory, e.g. belljar, or leave the key out");
        assertThatThrownBy(() -> of("belljar.report.dir", "").reportDirectory()).hasMessage("configuration parameter"
                + " belljar.report.dir = \"\" is blank: name a directory, e.g. target/belljar, or leave the key out");
        assertThatThrownBy(() -> of("belljar.report.dir", "a\0b").reportDirectory()).hasMessage("configuration"
                + " parameter belljar.report.dir = \"a\0b\" is not a path (Nul character not allowed): name a directory,"
                + " e.g. target/belljar");
        assertThatThrownBy(() -> of("belljar.default.timeout", "0s").defaults()).hasMessage("configuration parameter"
                + " belljar.default.timeout = \"0s\" is out of range: use a positive duration, e.g. 30s or 2m");
    }

    /** A sandbox checks every setting before it starts, also those read only after the run (report, summary). */
    @Test
    void requireValidThrowsTheFirstBadSetting() {
        of().requireValid();
        assertThatThrownBy(() -> of("belljar.summary", "maybe").requireValid())
                .hasMessage("configuration parameter belljar.summary = \"maybe\" is not a boolean: use true or false");
        assertThatThrownBy(() -> of("belljar.report.dir", " ").requireValid())
                .hasMessageStartingWith("configuration parameter belljar.report.dir = \" \" is blank");
    }
}
