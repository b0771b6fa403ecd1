package dev.belljar.linux.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** tc on the loopback of new user and network namespaces, read back from the kernel. */
@Tag("kernel")
class TrafficControlKernelTest {

    @Test
    void aRateLimitIsInEffectUntilCleared() throws Exception {
        try (Sandbox sandbox = Sandbox.start()) {
            TrafficControl control = TrafficControl.inNamespaceOf(sandbox.pid());

            control.limitRate(1_000_000);
            assertThat(control.queueingDisciplines()).contains("qdisc tbf").contains("rate 8Mbit");

            control.clear();
            assertThat(control.queueingDisciplines()).doesNotContain("tbf");
        }
    }

    @Test
    void clearingWhatWasNeverSetIsFine() throws Exception {
        try (Sandbox sandbox = Sandbox.start()) {
            TrafficControl.inNamespaceOf(sandbox.pid()).clear();
        }
    }

    @Test
    void netemDelaysLossAndReorderingAreInEffect() throws Exception {
        try (Sandbox sandbox = Sandbox.start()) {
            TrafficControl control = TrafficControl.inNamespaceOf(sandbox.pid());
            assumeTrue(control.netemAvailable(), "this kernel has no netem (sch_netem)");

            control.emulate(new TrafficControl.Netem(Duration.ofMillis(100), Duration.ofMillis(10), 1, 2, 25));

            assertThat(control.queueingDisciplines()).contains("qdisc netem").contains("delay 100ms")
                    .contains("loss 1%").contains("duplicate 2%").contains("reorder 25%");
        }
    }

    @Test
    void netemIsReportedMissingWithoutChangingTheLoopback() throws Exception {
        try (Sandbox sandbox = Sandbox.start()) {
            TrafficControl control = TrafficControl.inNamespaceOf(sandbox.pid());
            String before = control.queueingDisciplines();

            boolean available = control.netemAvailable();

            assertThat(control.queueingDisciplines()).isEqualTo(before);
            if (!available) {
                assertThatThrownBy(() -> control.emulate(new TrafficControl.Netem(Duration.ofMillis(1), Duration.ZERO,
                        0, 0, 0))).hasMessageContaining("failed with status");
            }
        }
    }
}
