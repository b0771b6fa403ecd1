package dev.belljar.spec;

import dev.belljar.Net;
import dev.belljar.Outcome;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class YamlSpecFileTest {
    private static final Function<String, SandboxSpec> PROFILES = YamlProfiles.parse("""
            profiles:
              tiny:     { memory: 64M, pids: 64, expect: { peakMemory: "< 48M" } }
              hermetic: { extends: tiny, net: PRIVATE }
            """, "belljar.yaml")::profile;

    private static final Function<String, SandboxSpec> NO_PROFILES = name -> {
        throw new AssertionError("looked up profile " + name);
    };

    @Test
    void readsASpecAtTheTopLevel() {
        SandboxSpec spec = YamlSpecFile.parse("memory: 128M\ntimeout: 30s\n", "x.yaml", NO_PROFILES);

        assertThat(spec).isEqualTo(SandboxSpec.builder().memory("128M").timeout("30s").build());
    }

    /** A user who wants no settings leaves out {@code spec}: a file that declares none is a mistake. */
    @Test
    void aFileThatDeclaresNothingIsRefused() {
        for (String nothing : List.of("", "# nothing yet\n", "{}", "readOnly: []\nexpect: {}\n")) {
            assertThatThrownBy(() -> YamlSpecFile.parse(nothing, "x.yaml", NO_PROFILES)).as(nothing)
                    .isInstanceOf(SpecException.class)
                    .hasMessage("spec file x.yaml declares no settings: write at least one, e.g. memory: 64M,"
                            + " or extends: a profile of belljar.yaml; a test that needs none leaves spec out");
        }
        assertThat(YamlSpecFile.parse("extends: tiny\n", "x.yaml", PROFILES).memoryBytes())
                .as("extending a profile declares its settings").hasValue(64L << 20);
    }

    @Test
    void extendsAProfileAndOverridesIt() {
        SandboxSpec spec = YamlSpecFile.parse("""
                extends: hermetic
                memory: 32M
                expect: { outcome: oom_killed, cpuTime: "< 1s" }
                """, "x.yaml", PROFILES);

        assertThat(spec.memoryBytes()).hasValue(32L << 20);
        assertThat(spec.pids()).hasValue(64);
        assertThat(spec.net()).isEqualTo(Net.PRIVATE);
        assertThat(spec.expect().outcome()).isEqualTo(Outcome.OOM_KILLED);
        assertThat(spec.expect().bounds()).containsOnlyKeys(Metric.PEAK_MEMORY, Metric.CPU_TIME);
    }

    @Test
    void anUnknownProfileIsAnErrorAtTheExtendsLine() {
        assertThatThrownBy(() -> YamlSpecFile.parse("memory: 32M\nextends: hermetc\n", "x.yaml", PROFILES))
                .isInstanceOf(SpecException.class)
                .hasMessage("x.yaml line 2: extends = \"hermetc\": no profile \"hermetc\" in belljar.yaml"
                        + " (did you mean hermetic?); its profiles: tiny, hermetic");
    }

    @Test
    void errorsNameTheKeyWithoutAPrefix() {
        assertThatThrownBy(() -> YamlSpecFile.parse("memory: 64M\nmemroy: 32M\n", "x.yaml", NO_PROFILES))
                .hasMessageStartingWith("x.yaml line 2: memroy is not a known key (did you mean memory?); allowed here: ");
        assertThatThrownBy(() -> YamlSpecFile.parse("\n\nexpect: { wallTime: \"< 3 days\" }\n", "x.yaml", NO_PROFILES))
                .hasMessage("x.yaml line 3: expect.wallTime = \"< 3 days\" is not a bound: \"3 days\" is not a duration:"
                        + " use a number with a unit ns, us, ms, s, m, h or d, e.g. \"< 1m\"");
        assertThatThrownBy(() -> YamlSpecFile.parse("- memory: 64M\n", "x.yaml", NO_PROFILES))
                .hasMessage("x.yaml line 1: the document is a list, expected a map of settings, e.g. { memory: 64M, pids: 64 }");
        assertThatThrownBy(() -> YamlSpecFile.parse("profiles:\n  tiny: {}\n", "x.yaml", NO_PROFILES))
                .hasMessageStartingWith("x.yaml line 1: profiles is not a known key; allowed here: memory,");
    }

    @Test
    void printsAsYamlThatReadsBackEqual() {
        SandboxSpec spec = SandboxSpec.builder().memory("1536K").swap("128M").cpu("2").pids(1).net(Net.NONE)
                .pidNamespace(true).hostname("a.b-c").timeout("250ms")
                .expect(Expectation.none().with("wallTime", "== 0").with("ioWrite", ">= 1G")).build();

        assertThat(YamlSpecFile.parse(spec.toString(), "printed", NO_PROFILES)).isEqualTo(spec);
    }
}
