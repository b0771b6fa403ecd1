package dev.belljar.samples;

import dev.belljar.BelljarExtension;
import dev.belljar.Sandbox;
import dev.belljar.SandboxProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A job checkpointed with CRIU and restored: it goes on from where it stopped, not from the start. */
@ExtendWith(BelljarExtension.class)
class CheckpointSamples {

    /** Works through steps 0, 1, 2, ... and says which one it finished. */
    static void longJob() throws InterruptedException {
        for (long step = 0; ; step++) {
            Thread.sleep(100);
            System.out.println("step " + step);
        }
    }

    // tag::checkpoint[]
    @Test
    void restoredJobGoesOnFromItsLastStep(Sandbox sandbox, @TempDir Path images) {
        assumeTrue(sandbox.cannotCheckpoint().isEmpty(), () -> sandbox.cannotCheckpoint().get());
        try (SandboxProcess job = sandbox.with(spec -> spec.memory("256M")).start(CheckpointSamples::longJob)) {
            await().atMost(Duration.ofMinutes(3)).until(() -> job.stdout().contains("step 2"));

            job.checkpoint(images);         // written to disk, gone from the sandbox
            assertThat(job.isAlive()).isFalse();
            String beforeRestore = job.stdout();

            job.restore();                  // back in the same sandbox, from where it stopped
            await().atMost(Duration.ofMinutes(3)).until(() -> job.stdout().length() > beforeRestore.length());
            assertThat(job.stdout()).startsWith(beforeRestore);
            assertThat(job.stdout().lines().filter("step 0"::equals).count()).as("never started over").isEqualTo(1);
        }
    }
    // end::checkpoint[]
}
