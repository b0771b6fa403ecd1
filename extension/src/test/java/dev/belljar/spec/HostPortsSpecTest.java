package dev.belljar.spec;

import dev.belljar.Net;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** hostPorts as written in annotations, in code and in YAML, and every way to write it wrong. */
class HostPortsSpecTest {

    @Test
    void aPortAMappedPortAndFaults() {
        SandboxSpec spec = SandboxSpec.builder().net(Net.PRIVATE).hostPort("5432").hostPort("8080:80")
                .hostPort("6379 latency=200ms, upstreamLatency=60ms, jitter=50ms, bandwidth=64K, stall=true,"
                        + " resetAfter=0, slice=16, sliceDelay=1ms, connections=3").build();

        assertThat(spec.hostPorts()).containsOnlyKeys(80, 5432, 6379);
        assertThat(spec.hostPorts().get(5432)).isEqualTo(new PortForward(5432, 5432, PortFaults.NONE));
        assertThat(spec.hostPorts().get(80)).isEqualTo(new PortForward(8080, 80, PortFaults.NONE));
        assertThat(spec.hostPorts().get(6379).faults()).isEqualTo(new PortFaults(Duration.ofMillis(200),
                Duration.ofMillis(60), Duration.ofMillis(50), 64L << 10, true, 0L, 16L, Duration.ofMillis(1), 3));
        assertThat(spec.toString()).contains("hostPorts: [\"8080:80\", \"5432\", \"6379 latency=200ms, upstreamLatency=60ms,"
                + " jitter=50ms, bandwidth=64K, stall=true, resetAfter=0, slice=16, sliceDelay=1ms, connections=3\"]");
    }

    @Test
    void yamlTakesTheSameEntriesAndWritesThemBack() {
        SandboxSpec spec = YamlSpecFile.parse("net: PRIVATE\nhostPorts: [\"5432 latency=200ms\", \"8080:80\"]\n", "x.yaml",
                name -> SandboxSpec.empty());

        assertThat(spec.hostPorts()).isEqualTo(Map.of(
                5432, new PortForward(5432, 5432, PortFaults.parse("latency=200ms", "x")),
                80, new PortForward(8080, 80, PortFaults.NONE)));
        assertThat(YamlSpecFile.parse(spec.toString(), "again.yaml", name -> SandboxSpec.empty())).isEqualTo(spec);
    }

    @Test
    void aMoreSpecificDeclarationReplacesTheForwardOfItsPortAndKeepsTheOthers() {
        SandboxSpec general = SandboxSpec.builder().net(Net.PRIVATE).hostPort("5432").hostPort("6379").build();
        SandboxSpec specific = SandboxSpec.builder().hostPort("5432 resetAfter=0").build();

        assertThat(general.overriddenBy(specific).hostPorts()).containsOnlyKeys(5432, 6379)
                .hasEntrySatisfying(5432, forward -> assertThat(forward.faults().resetAfter()).isZero());
    }

    @Test
    void badValuesNameTheElementTheValueAndWhatIsAllowed() {
        assertThatThrownBy(() -> SandboxSpec.builder().hostPort("5432 latency=fast")).isInstanceOf(SpecException.class)
                .hasMessage("hostPorts[5432].latency = \"fast\" is not a duration: use a number with a unit"
                        + " ns, us, ms, s, m, h or d, e.g. 200ms, 1s");
        assertThatThrownBy(() -> SandboxSpec.builder().hostPort("70000"))
                .hasMessage("hostPorts = \"70000\": port 70000 is out of range: a port is 1 to 65535");
        assertThatThrownBy(() -> SandboxSpec.builder().hostPort("8080:0"))
                .hasMessage("hostPorts = \"8080:0\": port 0 is out of range: a port is 1 to 65535");
        assertThatThrownBy(() -> SandboxSpec.builder().hostPort("postgres")).hasMessageStartingWith(
                "hostPorts = \"postgres\": 'postgres' is not a port; use a host port, then optionally ':' and the port inside");
        assertThatThrownBy(() -> SandboxSpec.builder().hostPort("5432 latncy=1s")).hasMessageStartingWith(
                "hostPorts[5432] = \"latncy=1s\": 'latncy' is not a fault (did you mean latency?); use latency=DURATION");
        assertThatThrownBy(() -> SandboxSpec.builder().hostPort("5432 connections=0"))
                .hasMessage("hostPorts[5432].connections = \"0\" is out of range: at least 1 connection");
        assertThatThrownBy(() -> SandboxSpec.builder().hostPort("5432 slice=1K, slice=2K"))
                .hasMessage("hostPorts[5432] = \"slice=1K, slice=2K\" sets slice twice");
        assertThatThrownBy(() -> SandboxSpec.builder().hostPort("5432 stall=maybe"))
                .hasMessage("hostPorts[5432].stall = \"maybe\" is not a boolean: use true or false");
        assertThatThrownBy(() -> SandboxSpec.builder().hostPort("5432 jitter=10ms"))
                .hasMessage("hostPorts[5432] = \"jitter=10ms\": jitter = 10ms varies a latency, and none is declared:"
                        + " add latency (or upstreamLatency), e.g. \"latency=200ms, jitter=50ms\"");
        assertThatThrownBy(() -> SandboxSpec.builder().hostPort("5432 latency=20ms, jitter=50ms"))
                .hasMessage("hostPorts[5432] = \"latency=20ms, jitter=50ms\": jitter = 50ms exceeds the latency of 20ms:"
                        + " jitter is at most the latency, so that no data is due before it arrived");
    }

    @Test
    void aPortInsideIsForwardedOnce() {
        assertThatThrownBy(() -> SandboxSpec.builder().hostPort("5432").hostPort("15432:5432"))
                .hasMessage("hostPorts = \"15432:5432\": port 5432 inside is forwarded twice (also by \"5432\");"
                        + " forward each port once");
    }

    @Test
    void forwardsNeedAPrivateNetwork() {
        assertThatThrownBy(() -> SandboxSpec.builder().hostPort("5432").build().requireConsistent())
                .hasMessage("hostPorts = [\"5432\"] forwards host services into a private network, but net = HOST:"
                        + " declare net = PRIVATE (with net = HOST the test reaches the host's ports directly)");
        assertThatThrownBy(() -> SandboxSpec.builder().net(Net.NONE).hostPort("5432").build().requireConsistent())
                .hasMessage("hostPorts = [\"5432\"] forwards host services into a private network, but net = NONE:"
                        + " declare net = PRIVATE");
        SandboxSpec privateNet = SandboxSpec.builder().net(Net.PRIVATE).hostPort("5432").build();
        assertThat(privateNet.requireConsistent()).isSameAs(privateNet);
    }
}
