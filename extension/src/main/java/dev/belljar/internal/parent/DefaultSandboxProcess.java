package dev.belljar.internal.parent;

import dev.belljar.CheckpointException;
import dev.belljar.Net;
import dev.belljar.SandboxProcess;
import dev.belljar.SandboxResult;
import dev.belljar.linux.criu.Criu;
import dev.belljar.spec.SandboxSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A started {@link SandboxRun} seen from the test: its output, usage and freezer. */
final class DefaultSandboxProcess implements SandboxProcess {
    private final HostSupport host;
    private final SandboxRun run;
    private final SandboxSpec spec;
    private SandboxResult result;
    private String finalStdout;
    private String finalStderr;

    DefaultSandboxProcess(HostSupport host, SandboxRun run, SandboxSpec spec) {
        this.host = host;
        this.run = run;
        this.spec = spec;
    }

    @Override
    public synchronized String stdout() {
        return result != null ? finalStdout : read(run.workDir().stdout());
    }

    @Override
    public synchronized String stderr() {
        return result != null ? finalStderr : read(run.workDir().stderr());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public Usage usage() {
        return Accounting.usage(run.cgroup().stats());
    }

    @Override
    public boolean isAlive() {
        return !run.checkpoint().isCheckpointed() && run.process().isAlive();
    }

    @Override
    public void checkpoint(Path directory) {
        if (!spec.pidNamespace()) {
            throw new CheckpointException("a checkpoint needs the sandbox's own PID namespace (pid = true):"
                    + " CRIU dumps the tree under its init", null);
        }
        Criu criu = usableCriu("checkpoint");
        if (spec.net() != Net.HOST) {
            Criu.cannotDumpNetworkNamespace().ifPresent(reason -> {
                throw new CheckpointException("cannot checkpoint a sandbox with net = " + spec.net() + ": " + reason, null);
            });
        }
        try {
            run.checkpoint().checkpoint(criu, directory.toAbsolutePath());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during the checkpoint", e);
        }
    }

    /** CRIU, or the reason this host has none, as the exception of {@code action}. */
    private Criu usableCriu(String action) {
        Criu.Availability criu = host.probe().criu();
        return criu.usable().orElseThrow(() -> new CheckpointException(
                "this host cannot " + action + " sandboxes: " + criu.unavailable(), null));
    }

    @Override
    public void restore() {
        Criu criu = usableCriu("restore");
        try {
            run.checkpoint().restore(criu);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during the restore", e);
        }
    }

    @Override
    public void freeze() {
        run.cgroup().freeze();
    }

    @Override
    public void thaw() {
        run.cgroup().thaw();
    }

    @Override
    public void kill() {
        run.cgroup().thaw();
        run.cgroup().killAll();
    }

    @Override
    public synchronized Optional<SandboxResult> awaitExit(Duration timeout) {
        if (result == null) {
            if (run.checkpoint().isCheckpointed()) {
                throw new IllegalStateException("the sandbox is checkpointed: restore() it before awaiting its exit");
            }
            try {
                if (!run.process().waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                    return Optional.empty();
                }
                ChildReport report = run.awaitReport(Duration.ZERO);
                finalStdout = new String(report.stdout(), StandardCharsets.UTF_8);
                finalStderr = new String(report.stderr(), StandardCharsets.UTF_8);
                result = Verdict.of(spec, Duration.ZERO, report).result();
                run.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.of(result);
    }

    @Override
    public void close() {
        run.close();
    }
}
