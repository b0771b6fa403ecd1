package dev.belljar.samples;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JVM inside sizes itself from the sandbox's limits: heap and processors, seen by the test. */
class JvmSizingSamples {

    // tag::sizing[]
    @Test
    @SmallBox   // @Isolated(memory = "128M", cpu = "1.5")
    void heapIsHalfTheMemoryLimit() {
        assertThat(Runtime.getRuntime().maxMemory()).isBetween(48L << 20, 64L << 20);
    }

    @Test
    @SmallBox
    void processorsAreTheQuotaRoundedUp() {
        assertThat(Runtime.getRuntime().availableProcessors()).isEqualTo(2);
    }
    // end::sizing[]

    // tag::heap-oome[]
    @Test
    @SmallBox
    void arrayLargerThanTheHeapIsAHeapErrorNotAnOomKill() {
        List<byte[]> frames = new ArrayList<>();
        assertThatThrownBy(() -> frames.add(new byte[96 << 20])).isInstanceOf(OutOfMemoryError.class)
                .hasMessage("Java heap space");
    }
    // end::heap-oome[]
}
