package dev.belljar.linux.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FaultsTest {

    @Test
    void withersChangeOnlyTheirOwnFault() {
        Faults faults = Faults.NONE.withLatency(Direction.DOWNSTREAM, Duration.ofMillis(100), Duration.ofMillis(10))
                .withBandwidth(1_000).withStall(true).withResetAfter(5).withSlicing(10, Duration.ofMillis(1))
                .withConnectionLimit(2);

        assertThat(faults).isEqualTo(new Faults(Duration.ZERO, Duration.ZERO, Duration.ofMillis(100),
                Duration.ofMillis(10), 1_000, true, 5, 10, Duration.ofMillis(1), 2));
        assertThat(faults.latency(Direction.DOWNSTREAM)).isEqualTo(Duration.ofMillis(100));
        assertThat(faults.jitter(Direction.UPSTREAM)).isZero();
        assertThat(faults.withoutBandwidthLimit().withStall(false).withoutReset().withoutSlicing()
                .withoutConnectionLimit().withLatency(Direction.DOWNSTREAM, Duration.ZERO, Duration.ZERO))
                .isEqualTo(Faults.NONE);
    }

    @Test
    void badValuesAreNamedWithWhatIsAllowed() {
        assertThatThrownBy(() -> Faults.NONE.withLatency(Direction.UPSTREAM, Duration.ofMillis(10), Duration.ofMillis(20)))
                .hasMessage("Faults upstreamJitter PT0.02S is not allowed: jitter must be at most the latency (PT0.01S),"
                        + " so that no chunk is due before it arrived");
        assertThatThrownBy(() -> Faults.NONE.withLatency(Direction.DOWNSTREAM, Duration.ofMillis(-1), Duration.ZERO))
                .hasMessage("Faults downstreamLatency PT-0.001S is not allowed: it must be zero or positive");
        assertThatThrownBy(() -> Faults.NONE.withBandwidth(0))
                .hasMessage("Faults bytesPerSecond 0 is not allowed: the rate must be at least 1 byte per second"
                        + " (withoutBandwidthLimit() lifts it)");
        assertThatThrownBy(() -> Faults.NONE.withResetAfter(-1))
                .hasMessage("Faults resetAfterBytes -1 is not allowed: it must be 0 (reset at once) or more bytes");
        assertThatThrownBy(() -> Faults.NONE.withSlicing(0, Duration.ZERO))
                .hasMessage("Faults sliceBytes 0 is not allowed: a segment must hold at least 1 byte"
                        + " (withoutSlicing() lifts it)");
        assertThatThrownBy(() -> Faults.NONE.withSlicing(1, null))
                .hasMessage("Faults sliceDelay is null: use Duration.ZERO for none");
        assertThatThrownBy(() -> Faults.NONE.withConnectionLimit(-1))
                .hasMessage("Faults connectionLimit -1 is not allowed: it must be 0 (refuse every connection) or more");
    }
}
