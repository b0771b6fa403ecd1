package dev.belljar.internal.parent;

import dev.belljar.internal.channel.Messages;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The children that the tests of one class share ({@code reuse = CLASS}), one per sandbox they
 * declare: each runs its tests one after another. A test that ends its child (an OOM kill, an
 * exit, a crash, a timeout) takes it with it, and the next test starts a fresh one. Closed, with
 * every sandbox, when the class ends.
 */
public final class SharedChildren implements AutoCloseable {
    private final HostSupport host;
    /** By {@link LaunchPlan#childKey()}: tests that differ only in expectations and timeout share a child. */
    private final Map<String, SandboxRun> children = new HashMap<>();

    public SharedChildren(HostSupport host) {
        this.host = host;
    }

    /** Runs {@code request} in the child of its sandbox, started for it if there is none (left). */
    public synchronized ChildReport run(LaunchPlan plan, Messages.RunTest request, Duration timeout)
            throws InterruptedException {
        String key = plan.childKey();
        SandboxRun child = children.remove(key);
        if (child != null && !child.isWaiting()) {
            child.close();
            child = null;
        }
        try {
            if (child == null) {
                child = SandboxRun.start(host, plan, request);
            } else {
                child.submitNext(request, plan);
            }
            ChildReport report = child.awaitTest(timeout);
            if (child.isWaiting()) {
                children.put(key, child);
                child = null;
            }
            return report;
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
