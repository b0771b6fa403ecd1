package dev.belljar.internal.parent;

import dev.belljar.internal.channel.Messages;
import dev.belljar.linux.cgroup.CgroupStats;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a child reported over the channel, collected as it arrives. When the test itself starts,
 * the sandbox's accounting is read: that is the baseline the test's own share is measured from;
 * the answer tells the child, which waits for it before the test runs.
 */
final class ChildEvents implements Function<Object, Object> {
    private final Supplier<CgroupStats> accounting;
    private volatile HostPortRelays relays = new HostPortRelays(Map.of());
    private final List<Messages.ContainerFailed> containerFailures = Collections.synchronizedList(new ArrayList<>());
    private final List<Map<String, String>> reportEntries = Collections.synchronizedList(new ArrayList<>());
    private volatile Messages.Finished finished;
    private volatile Messages.CannotRun cannotRun;
    private volatile CgroupStats baseline;
    private volatile boolean orderlyExit;

    ChildEvents(Supplier<CgroupStats> accounting) {
        this.accounting = accounting;
    }

    /** The relays of the request's forwarded host ports: the test changes their faults, the report counts their traffic. */
    void forwardThrough(HostPortRelays forwarding) {
        relays = forwarding;
    }

    @Override
    public Object apply(Object message) {
        if (message instanceof Messages.TestStarted) {
            baseline = accounting.get();
            return new Messages.BaselineTaken();
        } else if (message instanceof Messages.Finished m) {
            finished = m;
            testEnded();
        } else if (message instanceof Messages.ContainerFailed m) {
            containerFailures.add(m);
        } else if (message instanceof Messages.CannotRun m) {
            cannotRun = m;
            testEnded();
        } else if (message instanceof Messages.ReportEntry m) {
            reportEntries.add(m.values());
        } else if (message instanceof Messages.Exiting) {
            orderlyExit = true;
        } else if (message instanceof Messages.ChangeNetwork m) {
            return new Messages.NetworkChanged(relays.change(m).orElse(null));
        }
        return null;
    }

    /** Whether the current test ended: the child reported it finished, or that it could not run it. */
    synchronized boolean testEnded() {
        notifyAll();
        return finished != null || cannotRun != null;
    }

    /**
     * Waits until the current test ended ({@code true}), the child died or {@code timeoutNanos}
     * passed ({@code false}).
     */
    synchronized boolean awaitTestEnd(Process child, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (finished == null && cannotRun == null && child.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            // The child's death notifies nobody here: look again now and then.
            TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
        }
        return finished != null || cannotRun != null;
    }

    /**
     * Forgets the previous test of a shared child before its next one, whose baseline is
     * {@code atRequest}, the accounting as it was sent: the child waits idle for it, and asks for a
     * baseline of its own ({@link Messages.TestStarted}) only where it does more before the test.
     */
    synchronized void startTest(CgroupStats atRequest) {
        containerFailures.clear();
        reportEntries.clear();
        finished = null;
        cannotRun = null;
        baseline = atRequest;
    }

    /**
     * The report of the test that ran last, with its accounting and output; {@code exitStatus} and
     * what the child said of its exit, where it ended. A shared child's baseline counts from
     * {@code testStart}, as its {@code stats} do; null for a child's first test.
     */
    ChildReport report(int exitStatus, boolean timedOut, long wallTimeNanos, CgroupStats testStart, CgroupStats stats,
                       boolean peakIncludesEarlierTests, String timeline, byte[] stdout, byte[] stderr) {
        CgroupStats ownBaseline = baseline == null || testStart == null ? baseline : baseline.since(testStart);
        return new ChildReport(exitStatus, orderlyExit, timedOut, wallTimeNanos, finished, List.copyOf(containerFailures),
                cannotRun, List.copyOf(reportEntries), ownBaseline, stats, peakIncludesEarlierTests, timeline,
                relays.traffic(), stdout, stderr);
    }
}
