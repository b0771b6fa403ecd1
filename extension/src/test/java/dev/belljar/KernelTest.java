package dev.belljar;

import dev.belljar.linux.cgroup.Watchdog;
import dev.belljar.linux.host.Host;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

import java.util.List;

/** Base of tests that start real sandboxes: they need root and the kernel, tagged {@code kernel}. */
@Tag("kernel")
abstract class KernelTest {
    @BeforeAll
    static void requireRoot() {
        Assumptions.assumeTrue(Host.effectiveUid() == 0, "sandboxes need root; run the kernel tests as root (CI does)");
    }

    /**
     * This JVM's descendants but its watchdogs (that of the test run this test is in lives until
     * the run ends): what a sandbox left behind.
     */
    static List<ProcessHandle> descendantsButTheWatchdog() {
        return ProcessHandle.current().descendants().filter(process -> !Watchdog.isWatchdogOfThisJvm(process)).toList();
    }
}
