package dev.belljar.spec;

import dev.belljar.Net;
import dev.belljar.Outcome;
import dev.belljar.User;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Merging, printing and the getters over the attribute table; no sandbox. */
class SandboxSpecTest {

    @Test
    void aSingleValueIsReplacedByTheSpecificOne() {
        SandboxSpec general = SandboxSpec.builder().memory("64M").net(Net.PRIVATE).build();
        SandboxSpec merged = general.overriddenBy(SandboxSpec.builder().memory("128M").build());
        assertThat(merged.memoryBytes()).hasValue(128L << 20);
        assertThat(merged.net()).as("kept where the specific spec says nothing").isEqualTo(Net.PRIVATE);
    }

    @Test
    void undeclaredValuesKeepTheirDefaults() {
        SandboxSpec spec = SandboxSpec.empty().overriddenBy(SandboxSpec.empty());
        assertThat(spec.net()).isEqualTo(Net.HOST);
        assertThat(spec.pidNamespace()).isTrue();
        assertThat(spec.cgroupNamespace()).isFalse();
        assertThat(spec.memoryBytes()).isEmpty();
        assertThat(spec.readOnly()).isEmpty();
        assertThat(spec.io()).isEmpty();
        assertThat(spec.cpusetSize()).isEmpty();
        assertThat(spec).hasToString("{}");
    }

    @Test
    void pathListsMergeWithoutDuplicates() {
        SandboxSpec general = SandboxSpec.builder().readOnly("/").readOnly("/etc").hidden("/root").build();
        SandboxSpec specific = SandboxSpec.builder().readOnly("/etc/").readOnly("/usr").hidden("/home").build();
        SandboxSpec merged = general.overriddenBy(specific);
        assertThat(merged.readOnly()).containsExactly("/", "/etc", "/usr");
        assertThat(merged.hidden()).containsExactly("/root", "/home");
        assertThat(SandboxSpec.builder().writable("/tmp").writable("/tmp").build().writable()).containsExactly("/tmp");
    }

    @Test
    void pathMapsMergeEntryByEntry() {
        SandboxSpec general = SandboxSpec.builder().tmpfs("/tmp").io("/data", "write=1M").io("/", "read=2M").build();
        SandboxSpec specific = SandboxSpec.builder().tmpfs("/tmp:16M").tmpfs("/var/tmp").io("/data: riops=100").build();
        SandboxSpec merged = general.overriddenBy(specific);
        assertThat(merged.tmpfs()).containsExactly(Map.entry("/tmp", 16L << 20),
                Map.entry("/var/tmp", SandboxSpec.DEFAULT_TMPFS_BYTES));
        assertThat(merged.io()).containsOnlyKeys("/", "/data");
        assertThat(merged.io().get("/data")).isEqualTo(new IoThrottle(null, null, 100L, null));
        assertThat(merged.io().get("/")).isEqualTo(new IoThrottle(2L << 20, null, null, null));
    }

    @Test
    void expectationsMergeBoundByBound() {
        SandboxSpec general = SandboxSpec.builder().expect(Expectation.none().withOutcome(Outcome.OOM_KILLED)
                .with("peakMemory", "< 48M").with("cpuTime", "< 2s")).build();
        SandboxSpec specific = SandboxSpec.builder().expect(Expectation.none().with("cpuTime", "< 1s")).build();
        Expectation merged = general.overriddenBy(specific).expect();
        assertThat(merged.outcome()).isEqualTo(Outcome.OOM_KILLED);
        assertThat(merged.bounds()).containsOnlyKeys(Metric.PEAK_MEMORY, Metric.CPU_TIME);
        assertThat(merged.bounds().get(Metric.CPU_TIME)).hasToString("< 1s");
    }

    @Test
    void mergingLeavesBothSpecsAsTheyWere() {
        SandboxSpec general = SandboxSpec.builder().readOnly("/").tmpfs("/tmp").build();
        SandboxSpec specific = SandboxSpec.builder().readOnly("/usr").tmpfs("/var/tmp").build();
        general.overriddenBy(specific);
        assertThat(general.readOnly()).containsExactly("/");
        assertThat(general.tmpfs()).containsOnlyKeys("/tmp");
        assertThat(specific.readOnly()).containsExactly("/usr");
        SandboxSpec.Builder builder = general.toBuilder();
        builder.readOnly("/opt");
        assertThat(general.readOnly()).as("a builder made from a spec changes a copy").containsExactly("/");
    }

    @Test
    void gettersCannotChangeTheSpec() {
        SandboxSpec spec = SandboxSpec.builder().readOnly("/").tmpfs("/tmp").io("/data", "write=1M").build();
        assertThatThrownBy(() -> spec.readOnly().add("/etc")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> spec.tmpfs().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> spec.io().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    /** The YAML form is a key (children of equal specs are shared) and shows in messages: it must not drift. */
    @Test
    void toStringIsTheYamlFormInTableOrder() {
        SandboxSpec spec = SandboxSpec.builder().cgroupNamespace(true).io("/data", "write=1M, riops=100")
                .hidden("/root").tmpfs("/tmp:16M").writable("/var/data").readOnly("/").cpuset("0-1").cpuWeight(300)
                .memoryHigh("48M").uptime("30d").user(User.NOBODY).domainname("example.test")
                .timeout("90s").hostname("box").pidNamespace(false).net(Net.NONE).pids(64).cpu("1.5")
                .swap("0").memory("64M")
                .expect(Expectation.none().withOutcome(Outcome.OOM_KILLED).with("peakMemory", "< 48M")).build();
        assertThat(spec).hasToString("""
                memory: 64M
                swap: 0
                cpu: 1.5
                pids: 64
                net: NONE
                pid: false
                hostname: box
                timeout: 90s
                domainname: example.test
                user: NOBODY
                uptime: 30d
                memoryHigh: 48M
                cpuWeight: 300
                cpuset: "0-1"
                readOnly: ["/"]
                writable: ["/var/data"]
                tmpfs: ["/tmp:16M"]
                hidden: ["/root"]
                cgroupNamespace: true
                io: { "/data": "write=1M, riops=100" }
                expect: { outcome: OOM_KILLED, peakMemory: "< 48M" }""");
        assertThat(SandboxSpec.builder().cpu("2").timeout(Duration.ofMillis(1500)).build())
                .hasToString("cpu: 2\ntimeout: 1500ms");
    }

    @Test
    void equalSpecsAreEqualWhateverTheOrderOfDeclaration() {
        SandboxSpec a = SandboxSpec.builder().memory("64M").pids(10).build();
        SandboxSpec b = SandboxSpec.builder().pids(10).memoryBytes(64L << 20).build();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(SandboxSpec.builder().memory("64M").build());
    }

    @Test
    void cpusetIsAKernelCpuListAndCounts() {
        assertThat(SandboxSpec.builder().cpuset("0").build().cpusetSize()).isEqualTo(OptionalInt.of(1));
        assertThat(SandboxSpec.builder().cpuset("0-1,3").build().cpusetSize()).isEqualTo(OptionalInt.of(3));
        assertThat(SandboxSpec.builder().cpuset("3,0-2").build().cpusetSize()).isEqualTo(OptionalInt.of(4));
        assertThat(SandboxSpec.builder().cpuset(" 0-1, 3 ").build().cpuset()).hasValue("0-1,3");
        for (String bad : List.of("x", "0-", "1,,2", "3-1", "")) {
            assertThatThrownBy(() -> SandboxSpec.builder().cpuset(bad)).as(bad).isInstanceOf(SpecException.class)
                    .hasMessage("cpuset = \"" + bad + "\" is not a CPU list: use CPU numbers and ranges,"
                            + " e.g. 0, 0-3 or 0-1,3");
        }
    }

    @Test
    void typedSettersCheckLikeTheTextOnes() {
        assertThatThrownBy(() -> SandboxSpec.builder().pids(0))
                .hasMessage("pids = 0 is out of range: use a maximum of at least 1 process");
        assertThatThrownBy(() -> SandboxSpec.builder().set(Attribute.PIDS, "0"))
                .hasMessage("pids = 0 is out of range: use a maximum of at least 1 process");
        assertThatThrownBy(() -> SandboxSpec.builder().cpuWeight(10_001))
                .hasMessage("cpuWeight = 10001 is out of range: use 1 to 10000 (100 is the kernel's default)");
        assertThatThrownBy(() -> SandboxSpec.builder().memoryBytes(-1))
                .hasMessage("memory = -1 is out of range: use a positive size, e.g. 64M");
        assertThatThrownBy(() -> SandboxSpec.builder().timeout(Duration.ZERO))
                .hasMessage("timeout = PT0S is out of range: use a positive duration, e.g. 30s");
        assertThatThrownBy(() -> SandboxSpec.builder().net(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aSpecCrossesToTheChildUnchanged() throws IOException, ClassNotFoundException {
        SandboxSpec spec = SandboxSpec.builder().memory("64M").readOnly("/").tmpfs("/tmp").io("/data", "write=1M")
                .expect(Expectation.none().with("peakMemory", "< 48M")).build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(spec);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            SandboxSpec copy = (SandboxSpec) in.readObject();
            assertThat(copy).isEqualTo(spec);
            assertThat(copy.io()).isEqualTo(spec.io());
        }
    }
}
