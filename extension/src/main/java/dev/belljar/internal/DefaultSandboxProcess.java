package dev.belljar.internal;

import dev.belljar.SandboxProcess;
import dev.belljar.SandboxResult;
import dev.belljar.linux.cgroup.CgroupStats;
import dev.belljar.spec.SandboxSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** A started {@link SandboxRun} seen from the test: its output, usage and freezer. */
final class DefaultSandboxProcess implements SandboxProcess {
    private final SandboxRun run;
    private final SandboxSpec spec;
    private SandboxResult result;
    private String finalStdout;
    private String finalStderr;

    DefaultSandboxProcess(SandboxRun run, SandboxSpec spec) {
        this.run = run;
        this.spec = spec;
    }

    @Override
    public synchronized String stdout() {
        return result != null ? finalStdout : read(run.stdoutFile());
    }

    @Override
    public synchronized String stderr() {
        return result != null ? finalStderr : read(run.stderrFile());
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
        CgroupStats stats = run.cgroup().stats();
        return new Usage(stats.memoryCurrentBytes(), stats.memoryPeakBytes(), stats.cpuUsageNanos(),
                stats.cpuThrottledPeriods(), stats.cpuThrottledNanos(), stats.pidsCurrent());
    }

    @Override
    public boolean isAlive() {
        return run.process().isAlive();
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
            try {
                if (!run.process().waitFor(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
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
