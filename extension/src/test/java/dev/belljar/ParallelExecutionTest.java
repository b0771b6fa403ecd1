package dev.belljar;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** JUnit's parallel execution runs sandboxes side by side, each with its own cgroup, and cleans up after all. */
class ParallelExecutionTest extends KernelTest {

    @Test
    void isolatedTestsRunConcurrentlyInSeparateSandboxes() throws IOException {
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(Concurrent.class))
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "4")
                .execute().testEvents().assertStatistics(s -> s.started(4).succeeded(4));
        String prefix = "belljar-" + ProcessHandle.current().pid() + "-";
        try (Stream<Path> cgroups = Files.find(Path.of("/sys/fs/cgroup"), 8, (path, attrs) -> attrs.isDirectory()
                && path.getFileName() != null && path.getFileName().toString().startsWith(prefix))) {
            assertThat(cgroups).isEmpty();
        }
        assertThat(descendantsButTheWatchdog()).isEmpty();
    }

    @Execution(ExecutionMode.CONCURRENT)
    @Isolated(memory = "128M")
    static class Concurrent {
        @Test
        void first() throws IOException {
            assertOwnCgroupIsASandbox();
        }

        @Test
        void second() throws IOException {
            assertOwnCgroupIsASandbox();
        }

        @Test
        void third() throws IOException {
            assertOwnCgroupIsASandbox();
        }

        @Test
        void fourth() throws IOException {
            assertOwnCgroupIsASandbox();
        }

        /** Its cgroup is named as a sandbox, or (in a cgroup namespace) its cgroupfs shows the sandbox's limit. */
        private static void assertOwnCgroupIsASandbox() throws IOException {
            if (!Files.readString(Path.of("/proc/self/cgroup")).contains("/belljar-")) {
                assertThat(Files.readString(LeastPrivilegeTest.ownMemoryLimitFile()).strip()).isEqualTo("134217728");
            }
        }
    }
}
