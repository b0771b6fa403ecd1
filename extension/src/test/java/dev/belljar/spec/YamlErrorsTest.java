package dev.belljar.spec;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every mistake in a YAML spec is a SpecException naming the file, the line, the value and what is allowed. */
class YamlErrorsTest {

    private static void parse(String yaml) {
        YamlProfiles.parse(yaml, "belljar.yaml");
    }

    @Test
    void badSizeNamesFileLinePathAndTheSyntax() {
        assertThatThrownBy(() -> parse("""
                profiles:
                  ok: { memory: 64M }

                  tiny: { memory: 64Q }
                """))
                .isInstanceOf(SpecException.class)
                .hasMessage("belljar.yaml line 4: profiles.tiny.memory = \"64Q\" is not a size: use bytes or a number"
                        + " with a binary suffix K, M, G or T, e.g. 64M, 1.5G, 512K");
    }

    @Test
    void valuesTheBuilderRejectsAreLocated() {
        assertThatThrownBy(() -> parse("profiles:\n  a: { swap: lots }\n"))
                .hasMessageStartingWith("belljar.yaml line 2: profiles.a.swap = \"lots\" is not a size: ");
        assertThatThrownBy(() -> parse("profiles:\n  a: { cpu: fast }\n"))
                .hasMessage("belljar.yaml line 2: profiles.a.cpu = \"fast\" is not a number of cores: use e.g. 0.5 or 2");
        assertThatThrownBy(() -> parse("profiles:\n  a: { cpu: 0 }\n"))
                .hasMessage("belljar.yaml line 2: profiles.a.cpu = \"0\" is out of range: use between 0.01 and 4096 cores");
        assertThatThrownBy(() -> parse("profiles:\n  a: { timeout: 30 }\n"))
                .hasMessage("belljar.yaml line 2: profiles.a.timeout = \"30\" is not a duration: use a number with a unit"
                        + " ns, us, ms, s, m, h or d, e.g. 30s or 2m");
        assertThatThrownBy(() -> parse("profiles:\n  a: { hostname: my_host }\n"))
                .hasMessageStartingWith("belljar.yaml line 2: profiles.a.hostname = \"my_host\" is not a host name: ");
        assertThatThrownBy(() -> parse("profiles:\n  a: { pids: 0 }\n"))
                .hasMessage("belljar.yaml line 2: profiles.a.pids = 0 is out of range: use a maximum of at least 1 process");
        assertThatThrownBy(() -> parse("profiles:\n  a: { memory: 0 }\n"))
                .hasMessage("belljar.yaml line 2: profiles.a.memory = \"0\" is out of range: use a positive size, e.g. 64M");
    }

    @Test
    void wrongTypesSayWhatIsExpected() {
        assertThatThrownBy(() -> parse("profiles:\n  a: { pids: many }\n"))
                .hasMessage("belljar.yaml line 2: profiles.a.pids = \"many\" is not a whole number: use e.g. 64");
        assertThatThrownBy(() -> parse("profiles:\n  a: { pids: 99999999999 }\n"))
                .hasMessage("belljar.yaml line 2: profiles.a.pids = \"99999999999\" is out of range: at most 2147483647");
        assertThatThrownBy(() -> parse("profiles:\n  a: { pid: maybe }\n"))
                .hasMessage("belljar.yaml line 2: profiles.a.pid = \"maybe\" is not a boolean: use true or false");
        assertThatThrownBy(() -> parse("profiles:\n  a:\n    - memory: 64M\n"))
                .hasMessage("belljar.yaml line 2: profiles.a is a list, expected a map of settings,"
                        + " e.g. { memory: 64M, pids: 64 }");
        assertThatThrownBy(() -> parse("profiles:\n  a: 64M\n"))
                .hasMessage("belljar.yaml line 2: profiles.a = \"64M\" is a single value, expected a map of settings,"
                        + " e.g. { memory: 64M, pids: 64 }");
        assertThatThrownBy(() -> parse("profiles:\n  a: { memory: [64M, 128M] }\n"))
                .hasMessage("belljar.yaml line 2: profiles.a.memory is a list, expected a size, e.g. 64M");
        assertThatThrownBy(() -> parse("profiles:\n  a: { expect: \"< 48M\" }\n"))
                .hasMessage("belljar.yaml line 2: profiles.a.expect = \"< 48M\" is a single value, expected a map of"
                        + " expectations, e.g. { outcome: OOM_KILLED, peakMemory: \"< 48M\" }");
        assertThatThrownBy(() -> parse("profiles:\n  a: { expect: { peakMemory: { max: 48M } } }\n"))
                .hasMessage("belljar.yaml line 2: profiles.a.expect.peakMemory is a map, expected a bound, e.g. \"< 48M\"");
        assertThatThrownBy(() -> parse("profiles:\n  a: { extends: [b, c] }\n"))
                .hasMessage("belljar.yaml line 2: profiles.a.extends is a list, expected the name of a profile in belljar.yaml");
        assertThatThrownBy(() -> parse("profiles: [tiny, hermetic]\n"))
                .hasMessage("belljar.yaml line 1: profiles is a list, expected a map from profile name to spec,"
                        + " e.g. { tiny: { memory: 64M } }");
        assertThatThrownBy(() -> parse("- tiny\n"))
                .hasMessage("belljar.yaml line 1: the document is a list, expected a map with the key profiles,"
                        + " e.g. profiles: { tiny: { memory: 64M } }");
    }

    @Test
    void keysArePlainNames() {
        assertThatThrownBy(() -> parse("profiles:\n  tiny:\n    ? [memory, swap]\n    : 64M\n"))
                .hasMessage("belljar.yaml line 3: profiles.tiny has a key that is a list: keys are plain names");
    }

    @Test
    void aKeyWithoutValueIsAnError() {
        assertThatThrownBy(() -> parse("profiles:\n  a:\n    memory:\n"))
                .hasMessage("belljar.yaml line 3: profiles.a.memory has no value, expected a size, e.g. 64M");
    }

    @Test
    void unknownKeysSuggestTheClosestAndListTheAllowed() {
        assertThatThrownBy(() -> parse("profiles:\n  tiny:\n    memroy: 64M\n"))
                .hasMessage("belljar.yaml line 3: profiles.tiny.memroy is not a known key (did you mean memory?);"
                        + " allowed here: memory, swap, cpu, pids, net, pid, hostname, timeout, domainname, user, uptime,"
                        + " memoryHigh, cpuWeight, cpuset, readOnly, writable, tmpfs, hidden, cgroupNamespace, io,"
                        + " privileged, capabilities, hostPorts, netFaults, reuse, expect, extends");
        assertThatThrownBy(() -> parse("profiles:\n  tiny: { expect: { peakMemroy: \"< 48M\" } }\n"))
                .hasMessage("belljar.yaml line 2: profiles.tiny.expect.peakMemroy is not a known key"
                        + " (did you mean peakMemory?); allowed here: outcome, peakMemory, testMemory, cpuTime,"
                        + " testCpuTime, throttledTime, throttledPeriods, pids, ioRead, ioWrite, wallTime");
        assertThatThrownBy(() -> parse("profiles:\n  tiny: { expect: { outcom: OOM_KILLED } }\n"))
                .hasMessageContaining("profiles.tiny.expect.outcom is not a known key (did you mean outcome?)");
        assertThatThrownBy(() -> parse("profiles:\n  tiny: { cgroup: x }\n"))
                .hasMessageStartingWith("belljar.yaml line 2: profiles.tiny.cgroup is not a known key; allowed here: memory,");
    }

    @Test
    void onlyProfilesIsAllowedAtTheTopLevel() {
        assertThatThrownBy(() -> parse("profile:\n  tiny: { memory: 64M }\n"))
                .hasMessage("belljar.yaml line 1: profile is not a known key (did you mean profiles?); allowed here: profiles");
        assertThatThrownBy(() -> parse("profiles: {}\nmemory: 64M\n"))
                .hasMessage("belljar.yaml line 2: memory is not a known key; allowed here: profiles");
    }

    @Test
    void unknownEnumValuesListTheAllowed() {
        assertThatThrownBy(() -> parse("profiles:\n  a: { net: privat }\n"))
                .hasMessage("belljar.yaml line 2: profiles.a.net = \"privat\" is not a network (did you mean PRIVATE?);"
                        + " allowed: HOST, PRIVATE, NONE (case-insensitive)");
        assertThatThrownBy(() -> parse("profiles:\n  a:\n    expect:\n      outcome: OOMKILLED\n"))
                .hasMessage("belljar.yaml line 4: profiles.a.expect.outcome = \"OOMKILLED\" is not an outcome"
                        + " (did you mean OOM_KILLED?); allowed: PASSED, FAILED, ABORTED, OOM_KILLED, TIMED_OUT, CRASHED"
                        + " (case-insensitive)");
    }

    @Test
    void badBoundsAreLocated() {
        assertThatThrownBy(() -> parse("profiles:\n  a:\n    expect: { peakMemory: 48M }\n"))
                .hasMessage("belljar.yaml line 3: profiles.a.expect.peakMemory = \"48M\" is not a bound: write a comparison"
                        + " <, <=, >, >= or == and a size, e.g. \"< 48M\"");
        assertThatThrownBy(() -> parse("profiles:\n  a:\n    expect: { cpuTime: \"< 2 apples\" }\n"))
                .hasMessage("belljar.yaml line 3: profiles.a.expect.cpuTime = \"< 2 apples\" is not a bound: \"2 apples\""
                        + " is not a duration: use a number with a unit ns, us, ms, s, m, h or d, e.g. \"< 5s\"");
    }

    @Test
    void duplicateKeysAreAnError() {
        assertThatThrownBy(() -> parse("profiles:\n  tiny:\n    memory: 64M\n    memory: 128M\n"))
                .hasMessage("belljar.yaml line 4: profiles.tiny.memory is declared twice (first on line 3); keep one");
        assertThatThrownBy(() -> parse("profiles:\n  tiny: { memory: 64M }\n  tiny: { memory: 128M }\n"))
                .hasMessage("belljar.yaml line 3: profiles.tiny is declared twice (first on line 2); keep one");
    }

    @Test
    void syntaxErrorsNameTheLine() {
        assertThatThrownBy(() -> parse("profiles:\n  tiny: { memory: 64M\n  hermetic: {}\n"))
                .isInstanceOf(SpecException.class)
                .hasMessage("belljar.yaml line 3: not valid YAML: while parsing a flow mapping, expected ',' or '}',"
                        + " but got :");
        assertThatThrownBy(() -> parse("profiles:\n  tiny:\n    memory: 64M\n   pids: 3\n"))
                .hasMessageStartingWith("belljar.yaml line 4: not valid YAML: while parsing a block mapping, expected <block end>");
        assertThatThrownBy(() -> parse("profiles: {}\n---\nprofiles: {}\n"))
                .hasMessage("belljar.yaml line 2: not valid YAML: expected a single document in the stream,"
                        + " but found another document");
    }

    @Test
    void classTagsAreRejected() {
        assertThatThrownBy(() -> parse("profiles:\n  a: !!javax.script.ScriptEngineManager [x]\n"))
                .hasMessage("belljar.yaml line 2: not valid YAML: Global tag is not allowed:"
                        + " tag:yaml.org,2002:javax.script.ScriptEngineManager");
    }

    @Test
    void anUnknownParentNamesTheProfilesThereAre() {
        assertThatThrownBy(() -> parse("""
                profiles:
                  tiny: { memory: 64M }
                  hermetic: { extends: tinny }
                """))
                .hasMessage("belljar.yaml line 3: profiles.hermetic.extends = \"tinny\": no profile \"tinny\" in"
                        + " belljar.yaml (did you mean tiny?); its profiles: tiny, hermetic");
    }

    @Test
    void cyclesAreNamed() {
        assertThatThrownBy(() -> parse("""
                profiles:
                  tiny: { extends: hermetic }
                  hermetic: { extends: tiny }
                """))
                .hasMessage("belljar.yaml line 3: profiles.hermetic.extends = \"tiny\" makes a cycle: tiny -> hermetic"
                        + " -> tiny; a profile cannot extend itself, directly or through others");
        assertThatThrownBy(() -> parse("profiles:\n  self: { extends: self }\n"))
                .hasMessageContaining("makes a cycle: self -> self;");
        assertThatThrownBy(() -> parse("""
                profiles:
                  root: { extends: a }
                  a: { extends: b }
                  b: { extends: c }
                  c: { extends: a }
                """))
                .hasMessageStartingWith("belljar.yaml line 5: profiles.c.extends = \"a\" makes a cycle: a -> b -> c -> a;");
    }

    @Test
    void errorsInProfilesNobodyUsesStillFail() {
        assertThatThrownBy(() -> YamlProfiles.parse("profiles:\n  used: {}\n  unused: { pids: -1 }\n", "belljar.yaml")
                .profile("used"))
                .hasMessageStartingWith("belljar.yaml line 3: profiles.unused.pids = -1 is out of range");
    }
}
