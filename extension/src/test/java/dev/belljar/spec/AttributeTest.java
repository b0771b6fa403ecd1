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
        samples.put("hostPorts", "8080:80 latency=200ms, jitter=50ms");
        samples.put("reuse", "class");
        samples.put("netFaults", "rate=1M, delay=100ms, jitter=10ms, loss=1.5%, duplicate=1%, reorder=25%");
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
                .containsExactly("readOnly", "writable", "tmpfs", "hidden", "io", "capabilities", "hostPorts");
    }

    /** Every element that takes a size, in annotations and YAML, refuses a fraction of a byte by its own name. */
    @Test
    void everySizeElementRefusesAFractionOfAByte() {
        String refused = "\"1.5\" is not a size: a size without a unit is a whole number of bytes; use e.g. 1536K, 1.5M or 64M";
        assertThatThrownBy(() -> SandboxSpec.builder().memory("1.5")).hasMessage("memory = " + refused);
        assertThatThrownBy(() -> SandboxSpec.builder().swap("1.5")).hasMessage("swap = " + refused);
        assertThatThrownBy(() -> SandboxSpec.builder().memoryHigh("1.5")).hasMessage("memoryHigh = " + refused);
        assertThatThrownBy(() -> SandboxSpec.builder().tmpfs("/tmp:1.5")).hasMessage("tmpfs size of /tmp = " + refused);
        assertThatThrownBy(() -> SandboxSpec.builder().io("/data: read=1.5")).hasMessage("io[/data].read = " + refused);
        assertThatThrownBy(() -> SandboxSpec.builder().io("/data", "write=1.5")).hasMessage("io[/data].write = " + refused);
        for (String key : List.of("peakMemory", "testMemory", "ioRead", "ioWrite")) {
            assertThatThrownBy(() -> Expectation.none().with(key, "< 1.5"))
                    .hasMessage(key + " = \"< 1.5\" is not a bound: " + refused);
        }
        assertThatThrownBy(() -> YamlSpecFile.parse("memory: 1.5\n", "x.yaml", name -> fail("no profiles")))
                .hasMessage("x.yaml line 1: memory = " + refused);
        assertThatThrownBy(() -> YamlSpecFile.parse("tmpfs: [\"/tmp:1.5\"]\n", "x.yaml", name -> fail("no profiles")))
                .hasMessage("x.yaml line 1: tmpfs size of /tmp = " + refused);
        assertThatThrownBy(() -> YamlSpecFile.parse("io: { /data: \"write=1.5\" }\n", "x.yaml", name -> fail("no profiles")))
                .hasMessage("x.yaml line 1: io[/data].write = " + refused);
        assertThatThrownBy(() -> YamlProfiles.parse("profiles:\n  a:\n    io:\n      /data: \"read=1.5\"\n", "belljar.yaml"))
                .hasMessage("belljar.yaml line 4: profiles.a.io[/data].read = " + refused);
        assertThatThrownBy(() -> YamlProfiles.parse("profiles:\n  a: { tmpfs: \"/tmp:1.5\" }\n", "belljar.yaml"))
                .hasMessage("belljar.yaml line 2: profiles.a.tmpfs size of /tmp = " + refused);
    }

    /** Each duration element shows examples it accepts itself: uptime takes no 500ms. */
    @Test
    void everyDurationElementHintsWithValuesItAccepts() {
        assertThatThrownBy(() -> SandboxSpec.builder().uptime("-5s"))
                .hasMessage("uptime = \"-5s\" is out of range: a duration is not negative; use e.g. 30d or 3600s");
        assertThatThrownBy(() -> SandboxSpec.builder().uptime("5 days"))
                .hasMessage("uptime = \"5 days\" is not a duration: use a number with a unit ns, us, ms, s, m, h or d,"
                        + " e.g. 30d or 3600s");
        assertThatThrownBy(() -> SandboxSpec.builder().uptime("1.5s")).hasMessage("uptime = \"1.5s\" is out of range:"
                + " use whole seconds above 0, e.g. 30d or 3600s (time namespaces offset clocks by seconds)");
        assertThatThrownBy(() -> SandboxSpec.builder().timeout("30"))
                .hasMessage("timeout = \"30\" is not a duration: use a number with a unit ns, us, ms, s, m, h or d,"
                        + " e.g. 30s or 2m");
        assertThatThrownBy(() -> SandboxSpec.builder().timeout("-1m"))
                .hasMessage("timeout = \"-1m\" is out of range: a duration is not negative; use e.g. 30s or 2m");
        assertThatThrownBy(() -> SandboxSpec.builder().timeout("0s"))
                .hasMessage("timeout = \"0s\" is out of range: use a positive duration, e.g. 30s or 2m");
        assertThatThrownBy(() -> Expectation.none().with("wallTime", "< 1 minute")).hasMessage("wallTime ="
                + " \"< 1 minute\" is not a bound: \"1 minute\" is not a duration: use a number with a unit ns, us, ms,"
                + " s, m, h or d, e.g. \"< 1m\"");
    }

    @Test
    void coresAreDecimalNumbers() {
        assertThat(SandboxSpec.builder().cpu(".5").build().cpuCores()).hasValue(0.5);
        for (String bad : List.of("2d", "1e1", "0x1p1", "NaN", "Infinity", " ", "½")) {
            assertThatThrownBy(() -> SandboxSpec.builder().cpu(bad)).as(bad)
                    .hasMessage("cpu = \"" + bad + "\" is not a number of cores: use e.g. 0.5 or 2");
        }
        assertThatThrownBy(() -> SandboxSpec.builder().cpu("-1"))
                .hasMessage("cpu = \"-1\" is out of range: use between 0.01 and 4096 cores");
        assertThatThrownBy(() -> SandboxSpec.builder().cpu("99999999999999999999"))
                .hasMessage("cpu = \"99999999999999999999\" is out of range: use between 0.01 and 4096 cores");
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
