package dev.belljar;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import com.sun.jna.Memory;
import dev.belljar.linux.cgroup.CgroupManager;
import dev.belljar.linux.cgroup.NotDelegatedException;
import dev.belljar.linux.cgroup.Watchdog;
import dev.belljar.linux.host.Host;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Base of tests that start real sandboxes, tagged {@code kernel}: they need root or, for another
 * user, a cgroup subtree delegated to it (CI runs them both ways).
 */
@Tag("kernel")
abstract class KernelTest {
    @BeforeAll
    static void requireSandboxes() {
        if (rootless()) {
            try (CgroupManager cgroups = CgroupManager.detect(Optional.empty())) {
                cgroups.describe();
            } catch (NotDelegatedException e) {
                Assumptions.abort("no cgroup subtree is delegated to this user, so no sandbox can run: " + e.getMessage());
            }
        }
    }

    /** Runs the tests of {@code cases} in an engine of their own, as a user's run would. */
    static Events runEngine(Class<?> cases) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(cases)).execute().testEvents();
    }

    /** Each test's report entries that carry {@code key}, in the order the tests ran. */
    static List<String> entries(Events events, String key) {
        return events.reportingEntryPublished().stream()
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs().get(key))
                .filter(Objects::nonNull).toList();
    }

    /**
     * Touches native memory, 8 MiB at a time, until the kernel's memory limit kills the sandbox:
     * the JVM's heap limit does not see it.
     */
    static void touchNativeMemoryUntilOomKilled() {
        List<Memory> kept = new ArrayList<>();
        while (true) {
            Memory block = new Memory(8 << 20);
            block.clear();
            kept.add(block);
        }
    }

    /** Whether these tests run as a user other than root, whose sandboxes are rootless. */
    static boolean rootless() {
        return Host.effectiveUid() != 0;
    }

    /**
     * As a non-root user: {@code events} show one test aborted, for a reason that contains
     * {@code why}, the refusal of what a rootless sandbox cannot be.
     */
    static void assertRefusedRootless(Events events, String why) {
        events.assertStatistics(s -> s.aborted(1).succeeded(0).failed(0));
        events.assertThatEvents().haveExactly(1, event(abortedWithReason(message(m -> m.contains(why)))));
    }

    /**
     * This JVM's descendants but its watchdogs (that of the test run this test is in lives until
     * the run ends): what a sandbox left behind.
     */
    static List<ProcessHandle> descendantsButTheWatchdog() {
        return ProcessHandle.current().descendants().filter(process -> !Watchdog.isWatchdogOfThisJvm(process)).toList();
    }
}
