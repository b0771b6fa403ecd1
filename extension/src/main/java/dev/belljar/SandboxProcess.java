package dev.belljar;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code SandboxProcess} is a child JVM running in its sandbox, started by {@link Sandbox#start}:
 * watch its output and usage, pause it to test heartbeats, leases and timeouts, kill it. Closing it
 * kills the sandbox and removes its cgroup, also when the test fails: use try-with-resources.
 *
 * <pre>{@code
 * try (SandboxProcess server = sandbox.start(Server::serveForever)) {
 *     await().until(() -> server.stdout().contains("ready"));
 *     server.freeze();      // the server stops answering
 *     ...
 *     server.thaw();
 * }
 * }</pre>
 */
public interface SandboxProcess extends AutoCloseable {

    /** Live usage of the sandbox, as the kernel accounts it. */
    record Usage(long memoryCurrentBytes, OptionalLong memoryPeakBytes, long cpuTimeNanos, long throttledPeriods,
                 long throttledTimeNanos, long pidsCurrent) {
    }

    /** What the child wrote to stdout so far. */
    String stdout();

    /** What the child wrote to stderr so far. */
    String stderr();

    /** The sandbox's usage now; Awaitility-friendly: {@code await().until(() -> p.usage().memoryCurrentBytes() > x)}. */
    Usage usage();

    /** Whether the child JVM is still running. */
    boolean isAlive();

    /** Stops every process of the sandbox where it is (cgroup freezer); returns once all are frozen. */
    void freeze();

    /** Lets the frozen sandbox run on. */
    void thaw();

    /** Kills every process of the sandbox; {@link #awaitExit} then reports how it ended. */
    void kill();

    /** Waits up to {@code timeout} for the child to end; its result, or empty while it still runs. */
    Optional<SandboxResult> awaitExit(Duration timeout);

    /**
     * Checkpoints the sandbox's processes with CRIU into {@code directory} (created if needed) and
     * stops them: until {@link #restore()} they exist only there, and {@link #isAlive()} is false.
     * The sandbox (cgroup, limits, work dir) stays. Needs a PID namespace ({@code pid = true}, the
     * default) and CRIU ({@code apt-get install criu}) that works on this kernel.
     *
     * @throws CheckpointException with the reason when CRIU is missing, unusable here, or fails
     */
    void checkpoint(Path directory);

    /**
     * Starts the checkpointed processes again in this sandbox, from where they stopped: output and
     * accounting continue. CRIU itself runs in the sandbox's cgroup while it restores.
     *
     * @throws CheckpointException with CRIU's errors when the restore fails
     */
    void restore();

    /** Kills what is left of the sandbox and removes it. */
    @Override
    void close();
}
