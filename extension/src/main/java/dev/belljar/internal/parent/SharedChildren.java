package dev.belljar.internal.parent;

import dev.belljar.internal.channel.Messages;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The children that the tests of one class share ({@code reuse = CLASS}), one per sandbox they
 * declare: each runs its tests one after another. A test that ends its child (an OOM kill, an
 * exit, a crash, a timeout) takes it with it, and the next test starts a new one: restored from
 * a warm template where children are, else fresh. Closed, with every sandbox, when the class ends.
 */
public final class SharedChildren implements AutoCloseable {
    private final HostSupport host;
    /** By {@link LaunchPlan#childKey()}: tests that differ only in expectations and timeout share a child. */
    private final Map<String, SandboxRun> children = new HashMap<>();

    public SharedChildren(HostSupport host) {
        this.host = host;
    }

    /** What a test that ran in a shared child left, and how that child started, for the report. */
    public record Outcome(ChildReport report, String child) {
    }

    /** Runs {@code request} in the child of its sandbox, started for it if there is none (left). */
    public synchronized Outcome run(LaunchPlan plan, Messages.RunTest request, Duration timeout)
            throws InterruptedException {
        String key = plan.childKey();
        SandboxRun child = children.remove(key);
        if (child != null && !child.isWaiting()) {
            child.close();
            child = null;
        }
        try {
            if (child == null) {
                Optional<SandboxRun> restored = host.templates().start(plan, request);
                child = restored.isPresent() ? restored.get() : SandboxRun.start(host, plan, request);
            } else {
                child.submitNext(request, plan);
            }
            ChildReport report = child.awaitTest(timeout);
            Outcome outcome = new Outcome(report, "shared by the tests of its class, " + child.startedAs().describe());
            if (child.isWaiting()) {
                children.put(key, child);
                child = null;
            }
            return outcome;
        } finally {
            if (child != null) {
                child.close();
            }
        }
    }

    @Override
    public synchronized void close() {
        List<SandboxRun> all = new ArrayList<>(children.values());
        children.clear();
        all.forEach(SandboxRun::close);
    }
}
