package dev.belljar.samples;

import dev.belljar.BelljarExtension;
import dev.belljar.Outcome;
import dev.belljar.Sandbox;
import dev.belljar.SandboxProcess;
import dev.belljar.SandboxResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static dev.belljar.assertj.BelljarAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A heartbeat sender paused by the cgroup freezer: what a lease holder looks like when it stalls. */
@ExtendWith(BelljarExtension.class)
class FreezeSamples {

    /** Beats every 10 ms, forever. */
    static void heartbeat() throws InterruptedException {
        for (long beat = 0; ; beat++) {
            System.out.println("beat " + beat);
            Thread.sleep(10);
        }
    }

    // tag::freeze[]
    @Test
    void frozenHeartbeatStopsAndResumes(Sandbox sandbox) throws InterruptedException {
        try (SandboxProcess sender = sandbox.with(spec -> spec.memory("128M")).start(FreezeSamples::heartbeat)) {
            await().atMost(Duration.ofMinutes(2)).until(() -> sender.stdout().contains("beat 3"));

            sender.freeze();
            String beforePause = sender.stdout();
            Thread.sleep(300);
            assertThat(sender.stdout()).as("no beats while frozen").isEqualTo(beforePause);

            sender.thaw();
            await().atMost(Duration.ofMinutes(1)).until(() -> sender.stdout().length() > beforePause.length());

            sender.kill();
            SandboxResult result = sender.awaitExit(Duration.ofMinutes(1)).orElseThrow();
            assertThat(result).hasOutcome(Outcome.CRASHED);
        }
    }
    // end::freeze[]
}
