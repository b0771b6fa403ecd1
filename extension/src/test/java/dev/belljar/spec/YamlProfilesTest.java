package dev.belljar.spec;

import dev.belljar.Net;
import dev.belljar.Outcome;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class YamlProfilesTest {

    private static SandboxSpec profile(String yaml, String name) {
        return YamlProfiles.parse(yaml, "belljar.yaml").profile(name);
    }

    @Test
    void readsTheContractExample() {
        String yaml = """
                profiles:
                  tiny:      { memory: 64M, pids: 64 }
                  hermetic:  { extends: tiny, net: PRIVATE, expect: { peakMemory: "< 48M" } }
                """;

        assertThat(profile(yaml, "tiny")).isEqualTo(SandboxSpec.builder().memory("64M").pids(64).build());
        SandboxSpec hermetic = profile(yaml, "hermetic");
        assertThat(hermetic.memoryBytes()).hasValue(64L << 20);
        assertThat(hermetic.pids()).hasValue(64);
        assertThat(hermetic.net()).isEqualTo(Net.PRIVATE);
        assertThat(hermetic.expect().bounds()).containsOnlyKeys(Metric.PEAK_MEMORY);
        assertThat(hermetic.expect().bounds().get(Metric.PEAK_MEMORY)).hasToString("< 48M");
    }

    @Test
    void readsEveryKeyInBlockStyle() {
        SandboxSpec spec = profile("""
                profiles:
                  full:
                    memory: 1.5G
                    swap: 0
                    cpu: 0.5
                    pids: 128
                    net: none
                    pid: false
                    hostname: sandbox-1
                    timeout: 2m
                    expect:
                      outcome: oom_killed
                      peakMemory: "< 48M"
                      cpuTime: <= 2s
                      throttledPeriods: "> 0"
                """, "full");

        assertThat(spec.memoryBytes()).hasValue(1536L << 20);
        assertThat(spec.swapBytes()).hasValue(0);
        assertThat(spec.cpuCores()).hasValue(0.5);
        assertThat(spec.pids()).hasValue(128);
        assertThat(spec.net()).isEqualTo(Net.NONE);
        assertThat(spec.pidNamespace()).isFalse();
        assertThat(spec.hostname()).hasValue("sandbox-1");
        assertThat(spec.timeout()).hasValue(Duration.ofMinutes(2));
        assertThat(spec.expect().outcome()).isEqualTo(Outcome.OOM_KILLED);
        assertThat(spec.expect().bounds()).containsOnlyKeys(Metric.PEAK_MEMORY, Metric.CPU_TIME, Metric.THROTTLED_PERIODS);
        assertThat(spec.expect().bounds().get(Metric.CPU_TIME)).hasToString("<= 2s");
    }

    @Test
    void acceptsSizesAsNumbersOfBytesAndCoresAsNumbersOrStrings() {
        String yaml = """
                profiles:
                  bytes:   { memory: 67108864, swap: "1M", cpu: 2 }
                  strings: { memory: "64M", cpu: "0.25", pids: "32" }
                """;

        assertThat(profile(yaml, "bytes").memoryBytes()).hasValue(64L << 20);
        assertThat(profile(yaml, "bytes").swapBytes()).hasValue(1L << 20);
        assertThat(profile(yaml, "bytes").cpuCores()).hasValue(2.0);
        assertThat(profile(yaml, "strings").memoryBytes()).hasValue(64L << 20);
        assertThat(profile(yaml, "strings").cpuCores()).hasValue(0.25);
        assertThat(profile(yaml, "strings").pids()).hasValue(32);
    }

    @Test
    void readsEnumsCaseInsensitivelyAndBooleansAsYamlSpellsThem() {
        String yaml = """
                profiles:
                  a: { net: Private, pid: no }
                  b: { net: host, pid: "TRUE" }
                """;

        assertThat(profile(yaml, "a").net()).isEqualTo(Net.PRIVATE);
        assertThat(profile(yaml, "a").pidNamespace()).isFalse();
        assertThat(profile(yaml, "b").net()).isEqualTo(Net.HOST);
        assertThat(profile(yaml, "b").pidNamespace()).isTrue();
    }

    @Test
    void appliesExtendsChainsMostSpecificLast() {
        String yaml = """
                profiles:
                  strict:  { extends: medium, memory: 32M, expect: { outcome: OOM_KILLED } }
                  medium:  { extends: base, memory: 128M, net: PRIVATE, expect: { cpuTime: "< 2s", peakMemory: "< 100M" } }
                  base:    { memory: 256M, pids: 64, timeout: 30s, expect: { peakMemory: "< 200M", wallTime: "< 10s" } }
                """;

        SandboxSpec strict = profile(yaml, "strict");

        assertThat(strict.memoryBytes()).hasValue(32L << 20);
        assertThat(strict.net()).isEqualTo(Net.PRIVATE);
        assertThat(strict.pids()).hasValue(64);
        assertThat(strict.timeout()).hasValue(Duration.ofSeconds(30));
        assertThat(strict.expect().outcome()).isEqualTo(Outcome.OOM_KILLED);
        assertThat(strict.expect().bounds()).containsOnlyKeys(Metric.PEAK_MEMORY, Metric.CPU_TIME, Metric.WALL_TIME);
        assertThat(strict.expect().bounds().get(Metric.PEAK_MEMORY)).hasToString("< 100M");
        assertThat(profile(yaml, "base").memoryBytes()).hasValue(256L << 20);
    }

    @Test
    void aProfileExtendedByManyIsResolvedOnce() {
        String yaml = """
                profiles:
                  base: { memory: 64M }
                  a:    { extends: base, pids: 1 }
                  b:    { extends: base, pids: 2 }
                """;

        assertThat(profile(yaml, "a").memoryBytes()).isEqualTo(profile(yaml, "b").memoryBytes());
        assertThat(profile(yaml, "b").pids()).hasValue(2);
    }

    @Test
    void readsMissingValuesAsEmpty() {
        String yaml = """
                profiles:
                  bare:
                  empty: {}
                  noExpectations: { expect: }
                """;

        assertThat(profile(yaml, "bare")).isEqualTo(SandboxSpec.empty());
        assertThat(profile(yaml, "empty")).isEqualTo(SandboxSpec.empty());
        assertThat(profile(yaml, "noExpectations")).isEqualTo(SandboxSpec.empty());
    }

    @Test
    void profileNamesMayContainDots() {
        String yaml = """
                profiles:
                  db.small: { memory: 64M }
                  db.large: { extends: db.small, pids: 8 }
                """;

        assertThat(profile(yaml, "db.large").memoryBytes()).hasValue(64L << 20);
    }

    @Test
    void anUnknownProfileIsAnErrorListingTheProfiles() {
        String yaml = """
                profiles:
                  tiny: { memory: 64M }
                  hermetic: { net: PRIVATE }
                """;

        assertThatThrownBy(() -> profile(yaml, "tinny"))
                .isInstanceOf(SpecException.class)
                .hasMessage("no profile \"tinny\" in belljar.yaml (did you mean tiny?); its profiles: tiny, hermetic");
    }

    @Test
    void anEmptyFileHasNoProfiles() {
        assertThatThrownBy(() -> profile("", "tiny"))
                .hasMessage("no profile \"tiny\" in belljar.yaml; it declares none");
        assertThatThrownBy(() -> profile("profiles:\n", "tiny"))
                .hasMessage("no profile \"tiny\" in belljar.yaml; it declares none");
    }

    @Test
    void aProfilePrintedAsYamlReadsBackEqual() {
        SandboxSpec spec = SandboxSpec.builder().memory("1.5G").swap("0").cpu("0.5").pids(64).net(Net.PRIVATE)
                .pidNamespace(false).hostname("box").timeout("1500ms")
                .expect(Expectation.none().withOutcome(Outcome.OOM_KILLED).with("peakMemory", "< 48M")
                        .with("cpuTime", "<= 2s").with("throttledPeriods", "> 0"))
                .build();

        String yaml = "profiles:\n  printed:\n" + spec.toString().indent(4);

        assertThat(profile(yaml, "printed")).isEqualTo(spec);
    }

    @Test
    void mountKeysTakeOnePathOrAList() {
        SandboxSpec spec = YamlProfiles.parse("""
                profiles:
                  sealed:
                    readOnly: /
                    writable: [/var/tmp, /dev/shm]
                    tmpfs: ["/tmp:16M"]
                    hidden: [/root]
                    cgroupNamespace: true
                """, "belljar.yaml").profile("sealed");
        assertThat(spec.readOnly()).containsExactly("/");
        assertThat(spec.writable()).containsExactly("/var/tmp", "/dev/shm");
        assertThat(spec.tmpfs()).containsEntry("/tmp", 16L << 20);
        assertThat(spec.hidden()).containsExactly("/root");
        assertThat(spec.cgroupNamespace()).isTrue();
    }
}
