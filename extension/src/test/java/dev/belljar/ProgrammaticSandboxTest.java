package dev.belljar;

import com.sun.jna.Memory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import static dev.belljar.assertj.BelljarAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Sandboxes driven from a test that stays in the parent JVM. */
@ExtendWith(BelljarExtension.class)
class ProgrammaticSandboxTest extends KernelTest {

    static void fillNativeMemory() {
        List<Memory> blocks = new ArrayList<>();
        while (true) {
            Memory block = new Memory(4 << 20);
            block.clear();
            blocks.add(block);
        }
    }

    @Test
    void runsATaskInAChildAndReturnsItsAccounting(Sandbox sandbox) {
        SandboxResult r = sandbox.with(spec -> spec.memory("128M")).run(() -> {
            if (ProcessHandle.current().pid() > 10) {
                throw new IllegalStateException("not in a PID namespace");
            }
        });
        assertThat(r).succeeded().memory().limitIs("128M").peakIsBelow("128M");
        assertThat(r.failure()).isEmpty();
    }

    @Test
    void oomKillIsAResultNotAnException(Sandbox sandbox) {
        SandboxResult r = sandbox.with(spec -> spec.memory("64M")).run(ProgrammaticSandboxTest::fillNativeMemory);
        // On cgroup v2 memory.oom.group kills every process of the sandbox: one kill or several.
        assertThat(r).wasOomKilled();
        assertThat(r.memory().oomKills()).isPositive();
    }

    @Test
    void computationReturnsItsValue(Sandbox sandbox) {
        int base = 20;
        SandboxResult r = sandbox.call(() -> base + 22);
        assertThat(r).succeeded();
        assertThat(r.value(Integer.class)).isEqualTo(42);
    }

    @Test
    void taskExceptionIsRebuiltInTheResult(Sandbox sandbox) {
        SandboxResult r = sandbox.run(() -> {
            throw new IOException("disk on fire");
        });
        assertThat(r).hasOutcome(Outcome.FAILED);
        assertThat(r.failure()).get().isInstanceOf(IOException.class).extracting(Throwable::getMessage)
                .isEqualTo("disk on fire");
    }

    @Test
    void unserializableTaskIsRejectedBeforeAnythingStarts(Sandbox sandbox) {
        Object notSerializable = new Object();
        assertThatThrownBy(() -> sandbox.run(() -> notSerializable.hashCode()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be sent to the sandbox's JVM")
                .hasMessageContaining("captures only serializable values");
    }

    static void countForever() throws InterruptedException {
        for (long i = 0; ; i++) {
            System.out.println(i);
            Thread.sleep(5);
        }
    }

    @Test
    void startedProcessCanBeFrozenThawedAndKilled(Sandbox sandbox) throws Exception {
        try (SandboxProcess counter = sandbox.with(spec -> spec.memory("128M")).start(ProgrammaticSandboxTest::countForever)) {
            await().atMost(Duration.ofMinutes(2)).until(() -> counter.stdout().lines().count() > 5);
            counter.freeze();
            String frozen = counter.stdout();
            Thread.sleep(500);
            assertThat(counter.stdout()).as("no progress while frozen").isEqualTo(frozen);
            assertThat(counter.usage().memoryCurrentBytes()).isPositive();
            counter.thaw();
            await().atMost(Duration.ofMinutes(1)).until(() -> counter.stdout().length() > frozen.length());
            counter.kill();
            SandboxResult result = counter.awaitExit(Duration.ofMinutes(1)).orElseThrow();
            assertThat(result).hasOutcome(Outcome.CRASHED);
            assertThat(counter.isAlive()).isFalse();
        }
        assertThat(descendantsButTheWatchdog()).isEmpty();
    }

    public static final class Greeter {
        public static void main(String[] args) {
            System.out.println("hello, " + String.join(" and ", args));
        }
    }

    @Test
    void startsAMainClassWithItsArguments(Sandbox sandbox) {
        try (SandboxProcess greeter = sandbox.start(Greeter.class, "kernel", "JVM")) {
            SandboxResult result = greeter.awaitExit(Duration.ofMinutes(2)).orElseThrow();
            assertThat(result).succeeded();
            assertThat(greeter.stdout()).contains("hello, kernel and JVM");
        }
    }

    @Test
    void closingAStartedProcessRemovesItsSandbox(Sandbox sandbox) throws Exception {
        SandboxProcess counter = sandbox.start(ProgrammaticSandboxTest::countForever);
        await().atMost(Duration.ofMinutes(2)).until(() -> !counter.stdout().isEmpty());
        counter.close();
        assertThat(descendantsButTheWatchdog()).isEmpty();
        String prefix = "belljar-" + ProcessHandle.current().pid() + "-";
        try (Stream<Path> dirs = Files.find(Path.of("/sys/fs/cgroup"), 8,
                (path, attrs) -> attrs.isDirectory() && path.getFileName() != null
                        && path.getFileName().toString().startsWith(prefix))) {
            assertThat(dirs).isEmpty();
        }
    }

    @Test
    void severalSandboxesRunAtOnce(Sandbox sandbox) throws Exception {
        Sandbox small = sandbox.with(spec -> spec.memory("96M").net(Net.PRIVATE));
        List<Thread> threads = new ArrayList<>();
        List<SandboxResult> results = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(() -> results.add(small.call(() -> ProcessHandle.current().pid())));
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(results).hasSize(2).allSatisfy(r -> assertThat(r).succeeded());
    }
}
