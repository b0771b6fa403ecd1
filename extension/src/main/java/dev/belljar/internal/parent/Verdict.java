package dev.belljar.internal.parent;

import dev.belljar.OomKilledError;
import dev.belljar.Outcome;
import dev.belljar.SandboxResult;
import dev.belljar.internal.channel.Messages;
import dev.belljar.internal.channel.TaskRunner;
import dev.belljar.internal.child.ChildMain;
import dev.belljar.internal.child.JvmOutOfMemoryError;
import dev.belljar.linux.cgroup.CgroupStats;
import dev.belljar.linux.ns.LaunchCommand;
import dev.belljar.spec.Durations;
import dev.belljar.spec.Expectation;
import dev.belljar.spec.SandboxSpec;
import dev.belljar.spec.Sizes;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The parent's judgement of one child: its outcome, its accounting, and what the test must throw. */
public final class Verdict {
    private final SandboxResult result;
    private final Throwable failure;
    private final String childDisplayName;

    private Verdict(SandboxResult result, Throwable failure, String childDisplayName) {
        this.result = result;
        this.failure = failure;
        this.childDisplayName = childDisplayName;
    }

    public SandboxResult result() {
        return result;
    }

    public static Verdict of(SandboxSpec spec, Duration timeout, ChildReport report) {
        CgroupStats stats = report.stats();
        Outcome outcome;
        Throwable failure = null;
        String childDisplayName = null;
        if (report.timedOut()) {
            outcome = Outcome.TIMED_OUT;
        } else if (stats.oomKills() > 0) {
            outcome = Outcome.OOM_KILLED;
        } else if (report.finished() != null) {
            childDisplayName = report.finished().displayName();
            failure = report.finished().failure() == null ? null : report.finished().failure().rebuild();
            outcome = switch (report.finished().status()) {
                case SUCCESSFUL -> Outcome.PASSED;
                case ABORTED -> Outcome.ABORTED;
                case FAILED -> Outcome.FAILED;
            };
        } else if (!report.containerFailures().isEmpty()) {
            outcome = Outcome.FAILED;
            failure = report.containerFailures().get(0).failure().rebuild();
        } else if (report.cannotRun() != null) {
            outcome = Outcome.FAILED;
            failure = new AssertionFailedError("Belljar could not run the test in its child JVM: "
                    + report.cannotRun().reason());
        } else {
            outcome = Outcome.CRASHED;
        }
        if (failure instanceof JvmOutOfMemoryError error) {
            failure = error.inSandbox(spec.memoryBytes(), spec.pids(), stats.pidsPeak());
        }
        Throwable ownFailure = failure;
        Optional<Object> value = valueOf(report.finished());
        SandboxResult result = Accounting.result(spec, report, outcome, Optional.ofNullable(ownFailure), value);
        if (failure == null) {
            failure = describeFailure(outcome, result, timeout, report);
        }
        return new Verdict(result, failure, childDisplayName);
    }

    private static Throwable describeFailure(Outcome outcome, SandboxResult result, Duration timeout, ChildReport report) {
        if (outcome == Outcome.PASSED) {
            return null; // spares a passing test the usage text, formatted for failures only
        }
        String usage = "peak memory " + result.memory().peakBytes().stream().mapToObj(Sizes::describe).findFirst().orElse("unknown")
                + ", CPU time " + Durations.describe(result.cpu().usageNanos());
        return switch (outcome) {
            case PASSED -> throw new IllegalStateException("a passed test has no failure");
            case OOM_KILLED -> new OomKilledError("the kernel OOM-killed the isolated test: memory limit "
                    + result.memory().limitBytes().stream().mapToObj(Sizes::describe).findFirst().orElse("(none declared)")
                    + ", " + usage + ", " + result.memory().oomKills() + " OOM kill"
                    + (result.memory().oomKills() == 1 ? "" : "s"));
            case TIMED_OUT -> new AssertionFailedError("the isolated test timed out after " + Durations.format(timeout)
                    + "; the sandbox was killed (" + usage + ")");
            case CRASHED -> new AssertionFailedError(crashDescription(report) + " (" + usage + ")");
            case FAILED, ABORTED -> new AssertionFailedError("the isolated test ended " + outcome + " without an exception");
        };
    }

    private static String crashDescription(ChildReport report) {
        int status = report.exitStatus();
        if (status == LaunchCommand.JOIN_CGROUP_FAILED && !report.orderlyExit()) {
            return "the sandbox's process could not join its cgroup (exit status " + status + "); see its stderr";
        }
        if (status == ChildMain.PARENT_GONE) {
            return "the child JVM lost its lifeline to the parent and halted";
        }
        if (!report.orderlyExit() && status > 128) {
            int signal = status - 128;
            return "the child JVM was killed by signal " + signal + " (" + Signals.name(signal) + ") before the test finished"
                    + (signal == 6 ? ": the JVM crashed (see the hs_err report in its output)" : "");
        }
        return "the child JVM exited with status " + status + " before the test finished"
                + " (did the test or its code call System.exit(" + status + ")?)";
    }

    private static Optional<Object> valueOf(Messages.Finished finished) {
        if (finished == null || finished.value() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(TaskRunner.deserialize(finished.value()));
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("the value the sandbox returned cannot be read in the parent: " + e, e);
        }
    }

    /** Throws what the test must end with, given the expectation; returns when it passes. */
    public void check(String parentDisplayName, Expectation expectation) throws Throwable {
        if (childDisplayName != null && !childDisplayName.equals(parentDisplayName)) {
            throw new AssertionFailedError("the child JVM ran the invocation '" + childDisplayName
                    + "' but the parent is at '" + parentDisplayName + "': the test's arguments differ between"
                    + " the two JVMs (a non-deterministic argument source?)");
        }
        Outcome expected = expectation.outcome();
        Outcome actual = result.outcome();
        if (actual != expected) {
            if (expected == Outcome.PASSED) {
                throw actual == Outcome.ABORTED && !(failure instanceof TestAbortedException)
                        ? new TestAbortedException(failure.getMessage(), failure) : failure;
            }
            throw new AssertionFailedError("expected the isolated test to end " + expected + expectedMeaning(expected)
                    + " but it ended " + actual + (failure == null ? "" : ": " + failure.getMessage())
                    + " (" + result.summary() + ")", expected, actual, failure);
        }
        List<String> unmet = Bounds.unmet(expectation, result);
        if (!unmet.isEmpty()) {
            throw new AssertionFailedError("the isolated test ended " + actual + " but did not stay within "
                    + (unmet.size() == 1 ? "its expected bound" : unmet.size() + " of its expected bounds") + ":\n  "
                    + String.join("\n  ", unmet));
        }
    }

    private String expectedMeaning(Outcome expected) {
        if (expected == Outcome.OOM_KILLED) {
            return result.memory().limitBytes().stream()
                    .mapToObj(limit -> " (the kernel OOM-kills it at " + Sizes.describe(limit) + ")")
                    .findFirst().orElse(" (but it declares no memory limit)");
        }
        return "";
    }
}
