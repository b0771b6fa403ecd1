package dev.belljar.samples;

import dev.belljar.Isolated;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A runaway thread pool under a pids limit: the kernel refuses the 65th thread, the test sees why. */
class PidsLimitSamples {

    // tag::thread-bomb[]
    @Test
    @Isolated(pids = 64)
    void threadBombHitsThePidsLimit() {
        CountDownLatch never = new CountDownLatch(1);
        assertThatThrownBy(() -> {
            for (int i = 0; i < 1_000; i++) {
                Thread worker = new Thread(() -> awaitQuietly(never));
                worker.setDaemon(true);
                worker.start();
            }
        }).isInstanceOf(OutOfMemoryError.class).hasMessageContaining("unable to create native thread");
    }
    // end::thread-bomb[]

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
