package dev.belljar.assertj;

import dev.belljar.Outcome;
import dev.belljar.SandboxResult;
import dev.belljar.spec.Comparison;
import dev.belljar.spec.Durations;

import java.util.Objects;

/**
 * Assertions on a {@link SandboxResult}: how the sandbox ended, its wall time, and, through
 * {@link #memory()}, {@link #cpu()}, {@link #pids()} and {@link #io()}, what the kernel accounted.
 * Get one from {@link BelljarAssertions#assertThat(SandboxResult)}.
 */
public final class SandboxResultAssert extends AbstractSandboxAssert<SandboxResultAssert, SandboxResult> {

    SandboxResultAssert(SandboxResult actual) {
        super(actual, SandboxResultAssert.class);
    }

    /**
     * Verifies that the sandboxed code ran to completion and passed.
     *
     * @return this assertion
     */
    public SandboxResultAssert succeeded() {
        return hasOutcome(Outcome.PASSED);
    }

    /**
     * Verifies how the sandbox ended.
     *
     * @param expected the outcome it must have
     * @return this assertion
     */
    public SandboxResultAssert hasOutcome(Outcome expected) {
        isNotNull();
        Objects.requireNonNull(expected, "the expected outcome must not be null");
        if (actual.outcome() != expected) {
            throw failureWithActualExpected(actual.outcome(), expected,
                    "%nExpecting the sandbox to end:%n  %s%nbut it ended:%n  %s", expected, summary());
        }
        return myself;
    }

    /**
     * Verifies that the kernel's OOM killer killed a process of the sandbox: its memory limit was hit.
     * A heap {@link OutOfMemoryError} inside the JVM is a different outcome, {@link Outcome#FAILED}.
     *
     * @return this assertion
     */
    public SandboxResultAssert wasOomKilled() {
        return hasOutcome(Outcome.OOM_KILLED);
    }

    /**
     * Verifies that the kernel's OOM killer killed no process of the sandbox, whatever else happened
     * (a test that timed out may still have lost a process to it).
     *
     * @return this assertion
     */
    public SandboxResultAssert wasNotOomKilled() {
        isNotNull();
        if (actual.outcome() == Outcome.OOM_KILLED || actual.memory().oomKills() > 0) {
            throw failure("%nExpecting the kernel's OOM killer to have killed no process of the sandbox%nbut it ended:%n  %s",
                    summary());
        }
        return myself;
    }

    /**
     * Verifies that the sandbox ran longer than its timeout and was killed.
     *
     * @return this assertion
     */
    public SandboxResultAssert timedOut() {
        return hasOutcome(Outcome.TIMED_OUT);
    }

    /**
     * Verifies the exit status of the sandbox's process (128 + the signal number when a signal killed it).
     *
     * @param status the exit status it must have
     * @return this assertion
     */
    public SandboxResultAssert exitedWith(int status) {
        isNotNull();
        int exitStatus = actual.exitStatus().orElseThrow(() -> failure(
                "%nExpecting the sandbox to exit with status:%n  %d%nbut it has no exit status"
                        + " (a sandbox killed at its timeout has none):%n  %s", status, summary()));
        if (exitStatus != status) {
            throw failureWithActualExpected(exitStatus, status,
                    "%nExpecting the sandbox to exit with status:%n  %d%nbut it exited with:%n  %d%s%nafter:%n  %s",
                    status, exitStatus, exitStatus > 128 ? " (killed by signal " + (exitStatus - 128) + ")" : "", summary());
        }
        return myself;
    }

    /**
     * Verifies that the sandbox's wall time, from its start to its end as the parent JVM measured it,
     * is below the given duration.
     *
     * @param duration e.g. {@code 500ms}, {@code 2s}
     * @return this assertion
     */
    public SandboxResultAssert wallTimeIsBelow(String duration) {
        isNotNull();
        return assertValue("the sandbox's wall time", actual.wallTimeNanos(), Comparison.BELOW,
                Durations.parse(duration, "wallTimeIsBelow").toNanos(), Durations::describe, "");
    }

    /**
     * Continues with the sandbox's memory accounting.
     *
     * @return assertions on memory; {@link MemoryAssert#and()} comes back here
     */
    public MemoryAssert memory() {
        isNotNull();
        return new MemoryAssert(this, actual.memory());
    }

    /**
     * Continues with the sandbox's CPU accounting.
     *
     * @return assertions on CPU time and throttling; {@link CpuAssert#and()} comes back here
     */
    public CpuAssert cpu() {
        isNotNull();
        return new CpuAssert(this, actual.cpu());
    }

    /**
     * Continues with the sandbox's processes and threads.
     *
     * @return assertions on the pids accounting; {@link PidsAssert#and()} comes back here
     */
    public PidsAssert pids() {
        isNotNull();
        return new PidsAssert(this, actual.pids());
    }

    /**
     * Continues with the sandbox's block I/O.
     *
     * @return assertions on bytes read and written; {@link IoAssert#and()} comes back here
     */
    public IoAssert io() {
        isNotNull();
        return new IoAssert(this, actual.io());
    }

    /**
     * Continues with the traffic of the forwarded host port {@code sandboxPort} (the port inside).
     *
     * @return assertions on its connections and bytes; {@link PortTrafficAssert#and()} comes back here
     */
    public PortTrafficAssert port(int sandboxPort) {
        isNotNull();
        SandboxResult.PortTraffic traffic = actual.network().get(sandboxPort);
        if (traffic == null) {
            throw failure("%nExpecting the traffic of forwarded port %s%nbut the sandbox forwards %s",
                    sandboxPort, actual.network().isEmpty() ? "no port (hostPorts)" : "only " + actual.network().keySet());
        }
        return new PortTrafficAssert(this, traffic);
    }

    /** {@link SandboxResult#summary()} with the exit status, which an assertion on how it ended is about. */
    private String summary() {
        return actual.summary() + actual.exitStatus().stream().mapToObj(status -> ", exit status " + status)
                .findFirst().orElse("");
    }
}
