package dev.belljar.internal.parent;

import dev.belljar.CheckpointException;
import dev.belljar.linux.criu.CheckpointFailedException;
import dev.belljar.linux.criu.Criu;
import dev.belljar.linux.ns.LaunchCommand;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Checkpoint and restore of one sandbox's processes with CRIU. The cgroup, its limits and the work
 * dir stay while the processes exist only in the images; the restore brings them back into the
 * same cgroup. The child lets go of its channel for the dump (CRIU cannot dump one end of a
 * connection) and takes it up again after the restore.
 */
final class SandboxCheckpoint {
    private final SandboxRun run;
    /** Where the last checkpoint went, while the sandbox's processes exist only there. */
    private Path images;
    /** The checkpointed tree's stdin (the lifeline), which the restore replaces with a new pipe. */
    private String stdinPipe;
    private boolean restored;

    SandboxCheckpoint(SandboxRun run) {
        this.run = run;
    }

    /** Dumps the sandbox's processes into {@code into} and removes them from the sandbox. */
    synchronized void checkpoint(Criu criu, Path into) throws InterruptedException {
        Process process = run.process();
        if (run.isClosed() || images != null || !process.isAlive()) {
            throw new IllegalStateException(run.isClosed() ? "the sandbox was closed" : images != null
                    ? "the sandbox is already checkpointed to " + images : "the sandbox's process has ended");
        }
        long root = initPid(process);
        String stdin = stdinOf(root);
        try {
            Files.createDirectories(into);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the checkpoint directory " + into, e);
        }
        try {
            run.transport().detach();
        } catch (IOException e) {
            reattach();
            throw new CheckpointException("the child did not let go of its channel: " + e.getMessage(), e);
        }
        try {
            criu.dump(root, into);
        } catch (CheckpointFailedException e) {
            // The tree runs on (CRIU resumes it on failure); it reconnects once the pipes are back.
            reattach();
            throw new CheckpointException(e.getMessage(), e);
        }
        run.cgroup().killAll();
        process.waitFor();
        images = into;
        stdinPipe = stdin;
    }

    /** Starts the checkpointed processes again, in the sandbox's cgroup, from where they were. */
    synchronized void restore(Criu criu) throws InterruptedException {
        if (run.isClosed() || images == null) {
            throw new IllegalStateException(run.isClosed() ? "the sandbox was closed" : "the sandbox has no checkpoint to restore");
        }
        reattach();
        List<String> argv = LaunchCommand.inCgroup(run.cgroup().procsFiles(), criu.restoreCommand(images, stdinPipe));
        Process process;
        try {
            process = new ProcessBuilder(argv)
                    .redirectOutput(run.workDir().restoreLog().toFile())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start criu restore for sandbox " + run.cgroup().name(), e);
        }
        run.replaceProcess(process);
        // Restored: the child connects again; until then (or if the restore fails) nothing arrives.
        if (!run.transport().awaitConnected(process, SandboxRun.CONNECT_TIMEOUT_MILLIS)) {
            boolean running = process.isAlive();
            run.cgroup().killAll();
            process.waitFor();
            throw new CheckpointException("criu restore of " + images + (running
                    ? " ran for 3 min but the child did not connect to the parent again: "
                    : " failed (exit status " + process.exitValue() + "): ")
                    + Criu.restoreErrors(images, restoreLog()), null);
        }
        images = null;
        restored = true;
    }

    private void reattach() {
        try {
            run.transport().reattach();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for the child of sandbox " + run.cgroup().name() + " again", e);
        }
    }

    private String restoreLog() {
        try {
            return Files.readString(run.workDir().restoreLog());
        } catch (IOException e) {
            return "";
        }
    }

    /** The child was restored from a template: its exit status too comes from its init's file. */
    void restoredFromTemplate() {
        restored = true;
    }

    /** Whether the processes now exist only in a checkpoint. */
    synchronized boolean isCheckpointed() {
        return images != null;
    }

    /** Refuses to wait for processes that exist only in a checkpoint. */
    synchronized void requireRestored() {
        if (images != null) {
            throw new IllegalStateException("the sandbox is checkpointed to " + images + ": restore() it first");
        }
    }

    /**
     * The child's exit status. CRIU does not pass a restored tree's on: the sandbox's init wrote it
     * into the work dir.
     */
    int exitStatus(Process process) {
        if (restored) {
            try {
                return Integer.parseInt(Files.readString(run.workDir().exitStatus()).strip());
            } catch (IOException | NumberFormatException e) {
                return process.exitValue();
            }
        }
        return process.exitValue();
    }

    /** The init of the sandbox's PID namespace: the root of the tree a checkpoint dumps. */
    private long initPid(Process launcher) {
        Path children = Path.of("/proc", Long.toString(launcher.pid()), "task", Long.toString(launcher.pid()), "children");
        try {
            String pids = Files.readString(children).strip();
            if (pids.isEmpty()) {
                throw new IllegalStateException("the sandbox's init is gone");
            }
            return Long.parseLong(pids.split("\\s+")[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find the init of sandbox " + run.cgroup().name(), e);
        }
    }

    private static String stdinOf(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", "0")).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stdin of process " + pid, e);
        }
    }
}
