package dev.belljar.linux.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leftovers of test JVMs that are gone, and the watchdog, on the real kernel: the sandboxes are
 * made beneath this JVM's own cgroup like every sandbox ({@link KernelCgroups} removes them should
 * a test fail).
 */
@Tag("kernel")
class LeftoversKernelTest {

    @RegisterExtension
    final KernelCgroups kernel = new KernelCgroups();

    @TempDir
    Path workDirs;

    /** The sandbox {@code name}: its cgroup, and its work dir with a file in it. */
    Cgroup sandbox(SandboxName name) throws Exception {
        Cgroup cgroup = kernel.manager().create(name.toString());
        kernel.afterwards(cgroup);
        Files.writeString(Files.createDirectory(workDirs.resolve(name.toString())).resolve("stdout"), "output");
        return cgroup;
    }

    /** The PID of a process that has ended; were it given to a new process, that one started later than a sandbox made now. */
    static long deadPid() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        return ended.pid();
    }

    @Test
    void theSandboxOfAGoneJvmIsKilledAndRemovedAndThatOfARunningOneIsNot() throws Exception {
        SandboxName gone = new SandboxName(deadPid(), 1);
        SandboxName running = new SandboxName(ProcessHandle.current().pid(), 1_000_001);
        Cgroup left = sandbox(gone);
        Process leftBehind = kernel.startInside(left, "sleep 600");
        Cgroup live = sandbox(running);
        Process stillRunning = kernel.startInside(live, "sleep 600");
        Leftovers leftovers = kernel.manager().leftovers(List.of(workDirs));
        assertThat(leftovers.directoriesOf(gone)).hasSize(left.procsFiles().size() + 1);

        assertThat(leftovers.find()).contains(gone).doesNotContain(running);
        assertThat(leftovers.removeAll()).contains(gone).doesNotContain(running);

        assertThat(leftBehind.waitFor(30, TimeUnit.SECONDS)).as("the process left in %s was killed", gone).isTrue();
        assertThat(leftovers.directoriesOf(gone)).isEmpty();
        assertThat(left.procsFiles()).allSatisfy(procs -> assertThat(procs.getParent()).doesNotExist());
        assertThat(stillRunning.isAlive()).isTrue();
        assertThat(live.pids()).containsExactly(stillRunning.pid());
        assertThat(leftovers.directoriesOf(running)).hasSize(live.procsFiles().size() + 1);
    }

    @Test
    void aClosedWatchdogEndsAndLeavesTheSandboxesOfItsJvm() throws Exception {
        SandboxName mine = new SandboxName(ProcessHandle.current().pid(), 1_000_002);
        Cgroup cgroup = sandbox(mine);
        Watchdog watchdog = kernel.manager().startWatchdog(List.of(workDirs));
        assertThat(watchdog.process().isAlive()).isTrue();

        watchdog.close();

        assertThat(watchdog.process().onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
        assertThat(kernel.manager().leftovers(List.of(workDirs)).directoriesOf(mine))
                .hasSize(cgroup.procsFiles().size() + 1);
    }
}
