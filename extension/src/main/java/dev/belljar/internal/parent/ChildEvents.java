package dev.belljar.internal.parent;

import dev.belljar.internal.channel.Messages;
import dev.belljar.linux.cgroup.CgroupStats;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
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
        } else if (message instanceof Messages.ContainerFailed m) {
            containerFailures.add(m);
        } else if (message instanceof Messages.CannotRun m) {
            cannotRun = m;
        } else if (message instanceof Messages.ReportEntry m) {
            reportEntries.add(m.values());
        } else if (message instanceof Messages.Exiting) {
            orderlyExit = true;
        } else if (message instanceof Messages.ChangeNetwork m) {
            return new Messages.NetworkChanged(relays.change(m).orElse(null));
        }
        return null;
    }

    /** The report of a child that ended with {@code exitStatus}, with the sandbox's final accounting and output. */
    ChildReport report(int exitStatus, boolean timedOut, long wallTimeNanos, CgroupStats stats, String timeline,
                       byte[] stdout, byte[] stderr) {
        return new ChildReport(exitStatus, orderlyExit, timedOut, wallTimeNanos, finished, List.copyOf(containerFailures),
                cannotRun, List.copyOf(reportEntries), baseline, stats, timeline, relays.traffic(), stdout, stderr);
    }
}
