package dev.belljar.spec;

import dev.belljar.Net;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** netFaults as written, and every way to write it wrong. */
class NetFaultsSpecTest {

    @Test
    void everyFaultAndWhichNeedNetem() {
        NetFaults faults = NetFaults.parse("rate=1M, delay=100ms, jitter=10ms, loss=1%, duplicate=0.5%, reorder=25%", "netFaults");

        assertThat(faults).isEqualTo(new NetFaults(1L << 20, Duration.ofMillis(100), Duration.ofMillis(10), 1.0, 0.5, 25.0));
        assertThat(faults.needsNetem()).isTrue();
        assertThat(NetFaults.parse("rate=64K", "netFaults").needsNetem()).as("a rate alone: tbf").isFalse();
        assertThat(faults).hasToString("rate=1M, delay=100ms, jitter=10ms, loss=1%, duplicate=0.5%, reorder=25%");
    }

    @Test
    void badValuesNameTheElementTheValueAndWhatIsAllowed() {
        assertThatThrownBy(() -> NetFaults.parse("delay=fast", "netFaults"))
                .hasMessage("netFaults.delay = \"fast\" is not a duration: use a number with a unit ns, us, ms, s, m, h or d,"
                        + " e.g. 100ms, 1s");
        assertThatThrownBy(() -> NetFaults.parse("loss=101%", "netFaults"))
                .hasMessage("netFaults.loss = \"101%\" is not a percentage: use 0% to 100%, e.g. 1% or 0.5%");
        assertThatThrownBy(() -> NetFaults.parse("loss=1", "netFaults"))
                .hasMessage("netFaults.loss = \"1\" is not a percentage: use 0% to 100%, e.g. 1% or 0.5%");
        assertThatThrownBy(() -> NetFaults.parse("latency=1s", "netFaults"))
                .hasMessageStartingWith("netFaults = \"latency=1s\": 'latency' is not a fault; use rate=SIZE (per second)");
        assertThatThrownBy(() -> NetFaults.parse("jitter=10ms", "netFaults"))
                .hasMessage("netFaults = \"jitter=10ms\": jitter varies the delay and is at most the delay; declare a delay"
                        + " of at least 10ms, e.g. \"delay=100ms, jitter=10ms\"");
        assertThatThrownBy(() -> NetFaults.parse("reorder=5%", "netFaults"))
                .hasMessage("netFaults = \"reorder=5%\": reorder sends some packets ahead of delayed ones, and none is"
                        + " delayed: declare a delay too, e.g. \"delay=10ms, reorder=25%\"");
        assertThatThrownBy(() -> NetFaults.parse("rate=1M, rate=2M", "netFaults"))
                .hasMessage("netFaults = \"rate=1M, rate=2M\" sets rate twice");
    }

    @Test
    void netFaultsNeedAPrivateNetwork() {
        assertThatThrownBy(() -> SandboxSpec.builder().netFaults("delay=10ms").build().requireConsistent())
                .hasMessage("netFaults = \"delay=10ms\" shapes the sandbox's own loopback, but net = HOST: declare"
                        + " net = PRIVATE (the host's network is shared with every process of the host)");
        assertThat(SandboxSpec.builder().net(Net.PRIVATE).netFaults("delay=10ms").build().requireConsistent().netFaults())
                .hasValue(NetFaults.parse("delay=10ms", "x"));
    }
}
