package dev.belljar;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Checkpoint and restore with CRIU: where it works (the cgroup v2 VM's kernel) a counter goes on
 * from where it stopped; where it cannot (CRIU missing or too old for the kernel) the reason.
 */
@ExtendWith(BelljarExtension.class)
class CheckpointTest extends KernelTest {

    /** Counts on stdout, one number every 100 ms, from 0 and never from anywhere else. */
    static void count() throws InterruptedException {
        for (long n = 0; ; n++) {
            System.out.println(n);
            Thread.sleep(100);
        }
    }

    static List<Long> counts(SandboxProcess process) {
        return process.stdout().lines().map(Long::parseLong).toList();
    }

    @Test
    void aCheckpointedCounterIsRestoredAndCountsOnFromWhereItStopped(Sandbox sandbox, @TempDir Path images) {
        assumeTrue(sandbox.cannotCheckpoint().isEmpty(), () -> "CRIU cannot work here: " + sandbox.cannotCheckpoint().get());
        try (SandboxProcess counter = sandbox.with(spec -> spec.memory("256M")).start(CheckpointTest::count)) {
            await().atMost(Duration.ofMinutes(3)).until(() -> counts(counter).size() >= 3);

            counter.checkpoint(images);
            assertThat(counter.isAlive()).isFalse();
            // The killed init is counted until whoever inherits it reaps it.
            await().atMost(Duration.ofSeconds(30)).until(() -> counter.usage().pidsCurrent() == 0);
            assertThat(images.resolve("dump.log")).exists();
            long lastBefore = counts(counter).get(counts(counter).size() - 1);

            counter.restore();
            assertThat(counter.isAlive()).isTrue();
            await().atMost(Duration.ofMinutes(3)).until(() -> counts(counter).get(counts(counter).size() - 1) > lastBefore + 2);
            List<Long> all = counts(counter);
            for (int i = 0; i < all.size(); i++) {
                assertThat(all.get(i)).as("line %d of %s", i, all).isEqualTo(i);
            }
            assertThat(counter.usage().pidsCurrent()).isPositive();
        }
    }

    @Test
    void withoutAUsableCriuACheckpointSaysWhyAndTheProcessRunsOn(Sandbox sandbox, @TempDir Path images) throws Exception {
        assumeTrue(sandbox.cannotCheckpoint().isPresent(), "CRIU works here: the checkpoint test above runs");
        try (SandboxProcess counter = sandbox.start(CheckpointTest::count)) {
            await().atMost(Duration.ofMinutes(3)).until(() -> counts(counter).size() >= 2);
            assertThatThrownBy(() -> counter.checkpoint(images))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("cannot checkpoint sandboxes")
                    .hasMessageContaining(sandbox.cannotCheckpoint().get());
            assertThat(sandbox.cannotCheckpoint().get()).containsAnyOf("apt-get install criu", "criu check", "checkpoints need root");
            int counted = counts(counter).size();
            await().atMost(Duration.ofMinutes(1)).until(() -> counts(counter).size() > counted);
            assertThat(counter.isAlive()).isTrue();
            try (var left = Files.list(images)) {
                assertThat(left).isEmpty();
            }
        }
    }
}
