package dev.belljar.linux.cgroup;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up and clean-up of the tests on the real kernel, registered with
 * {@code @RegisterExtension}. A test runs as root, or as a user with a delegated cgroup subtree
 * (else it is skipped), with a {@link CgroupManager} for this host, and makes its sandboxes only
 * beneath this JVM's own cgroup or that subtree. After it, every
 * process it started with {@link #startInside} is killed, every sandbox closed, what it added with
 * {@link #afterwards} done (the last added first), and the manager closed; then no sandbox
 * directory may be left, and this JVM must be back in its own cgroups.
 */
final class KernelCgroups implements BeforeEachCallback, AfterEachCallback {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private CgroupManager manager;
    private String ownCgroups;
    private final List<Cgroup> cgroups = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final Deque<AutoCloseable> cleanups = new ArrayDeque<>();

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        ownCgroups = Files.readString(Path.of("/proc/self/cgroup"));
        try {
            manager = CgroupManager.detect(Optional.empty());
        } catch (NotDelegatedException e) {
            assumeTrue(false, "creating cgroups needs root or a delegated subtree: " + e.getMessage());
        }
    }

    CgroupManager manager() {
        return manager;
    }

    /** A new sandbox with {@code limits}; the test is skipped where this host cannot enforce them. */
    Cgroup sandbox(CgroupLimits limits) {
        Optional<String> reason = manager.cannotEnforce(limits);
        assumeTrue(reason.isEmpty(), () -> manager.describe() + ": " + reason.orElseThrow());
        Cgroup cgroup = manager.create("belljar-kt-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet());
        cgroups.add(cgroup);
        cgroup.apply(limits);
        return cgroup;
    }

    /**
     * {@code sh} writes its own PID into every procs file of {@code cgroup}, then execs
     * {@code command}: the same join as a sandbox child. Returns once the process is in the cgroup
     * (or has already ended).
     */
    Process startInside(Cgroup cgroup, String command) throws IOException {
        List<String> argv = new ArrayList<>(List.of("sh", "-c",
                "for f; do echo $$ > \"$f\" || exit 99; done; exec " + command, "sh"));
        cgroup.procsFiles().forEach(file -> argv.add(file.toString()));
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        processes.add(process);
        assertThat(Poll.until(() -> cgroup.pids().contains(process.pid()) || !process.isAlive(), Duration.ofSeconds(10)))
                .as("%s joined %s", process.pid(), cgroup).isTrue();
        return process;
    }

    /** Does {@code cleanup} after the test, once its processes and sandboxes are gone. */
    void afterwards(AutoCloseable cleanup) {
        cleanups.push(cleanup);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            for (Process process : processes) {
                process.destroyForcibly();
                process.waitFor(10, SECONDS);
            }
            for (Cgroup cgroup : cgroups) {
                cgroup.close();
            }
        } finally {
            try {
                while (!cleanups.isEmpty()) {
                    cleanups.pop().close();
                }
            } finally {
                if (manager != null) {
                    manager.close();
                }
            }
        }
        for (Cgroup cgroup : cgroups) {
            assertThat(cgroup.procsFiles()).allSatisfy(procs -> assertThat(procs.getParent()).doesNotExist());
        }
        if (ownCgroups != null) {
            // On v2 the manager may have moved this JVM into belljar-host to delegate; close moves it back.
            assertThat(Files.readString(Path.of("/proc/self/cgroup"))).isEqualTo(ownCgroups);
        }
    }
}
