package dev.belljar.spec;

import dev.belljar.Net;
import dev.belljar.User;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/** The attribute table: every attribute parses, prints and reads back the same, in YAML too. */
class AttributeTest {
    /** A declaration of each attribute in its text syntax (for io, one annotation entry). */
    static final Map<String, String> SAMPLES = samples();

    private static Map<String, String> samples() {
        Map<String, String> samples = new LinkedHashMap<>();
        samples.put("memory", "64M");
        samples.put("swap", "128M");
        samples.put("cpu", "0.5");
        samples.put("pids", "64");
        samples.put("net", "private");
        samples.put("pid", "no");
        samples.put("hostname", "box-1");
        samples.put("timeout", "90s");
        samples.put("domainname", "example.test");
        samples.put("user", "Nobody");
        samples.put("uptime", "30d");
        samples.put("memoryHigh", "48M");
        samples.put("cpuWeight", "300");
        samples.put("cpuset", "0-1");
        samples.put("readOnly", "/");
        samples.put("writable", "/tmp");
        samples.put("tmpfs", "/tmp:16M");
        samples.put("hidden", "/root");
        samples.put("cgroupNamespace", "ON");
        samples.put("io", "/data: write=1M, riops=100");
        samples.put("privileged", "true");
        samples.put("capabilities", "cap_sys_admin");
        return samples;
    }

    static List<Attribute<?>> attributes() {
        return Attribute.all();
    }

    /** The sample of {@code attribute}; a new attribute fails here until it has one. */
    static String sample(Attribute<?> attribute) {
        String sample = SAMPLES.get(attribute.name());
        if (sample == null) {
            fail("AttributeTest.SAMPLES has no declaration of the attribute " + attribute.name() + ": add one");
        }
        return sample;
    }

    @ParameterizedTest
    @MethodSource("attributes")
    void parsesPrintsAndReadsBackAsYaml(Attribute<?> attribute) {
        SandboxSpec spec = SandboxSpec.builder().set(attribute, sample(attribute)).build();
        assertThat(spec.get(attribute)).as("declared").isPresent();
        assertThat(spec.toString()).startsWith(attribute.name() + ": ");

        SandboxSpec read = YamlSpecFile.parse(spec.toString(), "x.yaml", name -> fail("no profiles here"));
        assertThat(read).isEqualTo(spec).hasToString(spec.toString());
        assertThat(read.get(attribute)).isEqualTo(spec.get(attribute));
    }

    @ParameterizedTest
    @MethodSource("attributes")
    void aSpecificDeclarationMergesOverAGeneralOne(Attribute<?> attribute) {
        SandboxSpec declared = SandboxSpec.builder().set(attribute, sample(attribute)).build();
        assertThat(SandboxSpec.empty().overriddenBy(declared)).isEqualTo(declared);
        assertThat(declared.overriddenBy(SandboxSpec.empty())).isEqualTo(declared);
        assertThat(declared.overriddenBy(declared)).as("declaring the same again changes nothing").isEqualTo(declared);
    }

    @Test
    void everyAttributeIsAYamlKeyAndNamesAreUnique() {
        List<String> names = Attribute.all().stream().map(Attribute::name).toList();
        assertThat(names).doesNotHaveDuplicates();
        names.forEach(name -> assertThat(Attribute.byName(name)).isPresent());
        assertThatThrownBy(() -> YamlSpecFile.parse("unknown: 1", "x.yaml", name -> fail("no profiles")))
                .hasMessage("x.yaml line 1: unknown is not a known key; allowed here: " + String.join(", ", names)
                        + ", expect, extends");
    }

    @Test
    void onlySingleValuedAttributesAreConfigurationKeys() {
        assertThat(Attribute.all().stream().filter(a -> !a.isSingleValued()).map(Attribute::name))
                .containsExactly("readOnly", "writable", "tmpfs", "hidden", "io", "capabilities");
    }

    @Test
    void enumsAndBooleansReadTheSameEverywhere() {
        assertThat(SandboxSpec.builder().set(Attribute.NET, " Private ").build().net()).isEqualTo(Net.PRIVATE);
        assertThat(SandboxSpec.builder().set(Attribute.USER, "root").build().user()).isEqualTo(User.ROOT);
        for (String yes : List.of("true", "YES", "On")) {
            assertThat(SandboxSpec.builder().set(Attribute.CGROUP_NAMESPACE, yes).build().cgroupNamespace()).as(yes).isTrue();
        }
        for (String no : List.of("false", "No", "OFF")) {
            assertThat(SandboxSpec.builder().set(Attribute.PID, no).build().pidNamespace()).as(no).isFalse();
        }
    }
}
