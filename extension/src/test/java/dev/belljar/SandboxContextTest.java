package dev.belljar;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/** A test asserting on its own sandbox from inside. */
class SandboxContextTest extends KernelTest {

    private static Events run(String name) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectMethod(Cases.class, Arrays.stream(
                Cases.class.getDeclaredMethods()).filter(m -> m.getName().equals(name)).findFirst().orElseThrow()))
                .execute().testEvents();
    }

    @Test
    void isolatedTestSeesItsLimitsAndLiveUsage() {
        run("readsItsSandbox").assertThatEvents().haveExactly(1, event(test("readsItsSandbox"), finishedSuccessfully()));
    }

    @Test
    void testInTheParentCannotHaveOne() {
        run("notIsolated").assertThatEvents().haveExactly(1, event(test("notIsolated"), finishedWithFailure(
                message(m -> m.contains("SandboxContext is only available in @Isolated tests")))));
    }

    static class Cases {
        @Test
        @Isolated(memory = "256M", pids = 200)
        void readsItsSandbox(SandboxContext sandbox) throws Exception {
            assertThat(sandbox.spec().memoryBytes()).hasValue(256L << 20);
            assertThat(sandbox.spec().pids()).hasValue(200);
            long before = sandbox.memoryCurrentBytes();
            assertThat(before).isPositive();
            byte[] block = new byte[48 << 20];
            Arrays.fill(block, (byte) 1);
            assertThat(sandbox.memoryCurrentBytes()).isGreaterThan(before + (32L << 20));
            long pids = sandbox.pidsCurrent();
            Process sleeper = new ProcessBuilder("sleep", "60").start();
            await().atMost(Duration.ofSeconds(20)).until(() -> sandbox.pidsCurrent() > pids);
            sleeper.destroyForcibly().waitFor();
            assertThat(sandbox.cpuTimeNanos()).isPositive();
            assertThat(block[block.length - 1]).isEqualTo((byte) 1);
        }

        @Test
        @ExtendWith(BelljarExtension.class)
        void notIsolated(SandboxContext sandbox) {
        }
    }
}
