package dev.belljar;

import dev.belljar.linux.host.Host;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/**
 * Who a sandbox's process is, and where its cgroup is made, for the user the tests run as: root,
 * or a non-root user with a delegated cgroup subtree (CI runs this class both ways).
 */
class RootlessTest extends KernelTest {
    static final String UID_PROPERTY = "belljar.test.callerUid";

    private static Events run(String method) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectMethod(Inside.class, method)).execute().testEvents();
    }

    @Test
    void callerIsTheTestJvmsOwnUidInside() {
        System.setProperty(UID_PROPERTY, Long.toString(Host.effectiveUid()));
        try {
            run("isTheCaller").assertStatistics(s -> s.succeeded(1));
        } finally {
            System.clearProperty(UID_PROPERTY);
        }
    }

    @Test
    void rootIsUidZeroInsideMappedToTheCaller() {
        run("isRootInside").assertStatistics(s -> s.succeeded(1));
    }

    @Test
    void theReportNamesWhereTheSandboxWasMadeAndWhyThisUserMayMakeItThere() {
        Events events = run("isTheCallerAnyway");
        events.assertStatistics(s -> s.succeeded(1));
        String where = events.reportingEntryPublished().stream()
                .map(event -> event.getPayload(org.junit.platform.engine.reporting.ReportEntry.class).orElseThrow())
                .map(entry -> entry.getKeyValuePairs().get("belljar.sandboxes"))
                .filter(value -> value != null).findFirst().orElseThrow();
        assertThat(where).contains(rootless() ? "user " + System.getProperty("user.name") + " (uid " + Host.effectiveUid() + ")"
                : "beneath the test JVM's own cgroup, as root");
    }

    @Test
    void withoutADelegatedSubtreeEveryIsolatedTestAbortsNamingTheSetupCommand() {
        Assumptions.assumeTrue(rootless(), "root needs no delegation");
        String user = System.getProperty("user.name");
        Events events = EngineTestKit.engine("junit-jupiter").selectors(selectMethod(Inside.class, "isTheCallerAnyway"))
                .configurationParameter("belljar.cgroup.parent", "belljar-not-delegated-" + ProcessHandle.current().pid())
                .execute().testEvents();
        events.assertStatistics(s -> s.aborted(1));
        events.assertThatEvents().haveExactly(1, event(abortedWithReason(message(m -> m.contains("delegated to user "
                + user) && m.contains("fix, once, as root: sudo ") && m.contains("dev.belljar.Doctor --setup " + user)))));
    }

    static class Inside {
        @Test
        @Isolated(user = User.CALLER)
        void isTheCaller() throws IOException {
            assertThat(Files.readAllLines(Path.of("/proc/self/status")))
                    .anyMatch(line -> line.matches("Uid:\\s+" + System.getProperty(UID_PROPERTY) + "\\s.*"));
        }

        @Test
        @Isolated(user = User.ROOT)
        void isRootInside() throws IOException {
            assertThat(Files.readAllLines(Path.of("/proc/self/status"))).anyMatch(line -> line.matches("Uid:\\s+0\\s+0\\s+0\\s+0"));
            // uid 0 inside stands for one uid outside: the caller's.
            assertThat(Files.readString(Path.of("/proc/self/uid_map")).trim().split("\\s+")).hasSize(3).startsWith("0");
        }

        @Test
        @Isolated
        void isTheCallerAnyway() {
        }
    }
}
