package dev.belljar.internal.parent;

import dev.belljar.Outcome;
import dev.belljar.Sandbox;
import dev.belljar.SandboxResult;
import dev.belljar.internal.channel.Messages;
import dev.belljar.internal.channel.TaskRunner;
import dev.belljar.spec.SandboxSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The channel a checkpoint detaches: what the child sends while detached waits in the child and
 * arrives once the parent listens again, as after a restore.
 */
class ChannelReattachTest {

    static String slowAnswer() throws InterruptedException {
        Thread.sleep(1500);
        return "answered while detached";
    }

    @Test
    void aResultSentWhileDetachedArrivesAfterTheParentListensAgain() throws Exception {
        try (HostSupport host = HostSupport.detect(Optional.empty(), false)) {
            LaunchPlan plan = host.plan(SandboxSpec.empty());
            assumeTrue(host.cannotEnforce(plan).isEmpty(), "this host cannot build sandboxes");
            Sandbox.Computation<String> task = ChannelReattachTest::slowAnswer;
            try (SandboxRun run = SandboxRun.start(host, plan,
                    new Messages.RunTask(TaskRunner.serialize(task, "slowAnswer"), Map.of()))) {
                run.awaitConnected();
                run.transport().detach();
                Thread.sleep(3000); // the task has finished by now; its result waits in the child
                assertThat(run.process().isAlive()).as("the child waits to deliver its result: %s %s", Files.readString(run.workDir().stderr()), Files.readString(run.workDir().stdout())).isTrue();

                run.transport().reattach();
                ChildReport report = run.awaitReport(Duration.ofMinutes(2));
                SandboxResult result = Verdict.of(SandboxSpec.empty(), Duration.ofMinutes(2), report).result();
                assertThat(result.outcome()).isEqualTo(Outcome.PASSED);
                assertThat(result.value(String.class)).isEqualTo("answered while detached");
            }
        }
    }
}
