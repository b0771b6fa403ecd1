package dev.belljar.internal.parent;

import dev.belljar.internal.channel.Messages;

import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Children started ahead, for tests with a sandbox used more than once: their JVM and JUnit
 * start-up overlap the test that runs now, and each other.
 */
public final class SparePool implements AutoCloseable {
    /**
     * How many children wait ready per sandbox: one per core, so that their start-ups run side by
     * side instead of one after the other behind each test.
     */
    static final int SPARES_PER_SANDBOX = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    private final HostSupport host;
    /** Children waiting for a test, by {@link LaunchPlan#childKey}, oldest first. */
    private final Map<String, ConcurrentLinkedDeque<SandboxRun>> spares = new ConcurrentHashMap<>();
    private final Map<String, Integer> uses = new ConcurrentHashMap<>();
    private volatile boolean closed;

    SparePool(HostSupport host) {
        this.host = host;
    }

    /**
     * Starts the child for {@code request}: a spare when an earlier test with the same sandbox
     * left one ready, else a fresh one. From the second test with a sandbox on (with
     * {@code prestart}), the next children are started ahead, {@link #SPARES_PER_SANDBOX} of them.
     * The caller owns the run and must close it.
     */
    public SandboxRun start(LaunchPlan plan, Messages.Request request, boolean prestart) throws InterruptedException {
        String key = plan.childKey();
        Deque<SandboxRun> ready = spares.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
        SandboxRun run;
        while ((run = ready.pollFirst()) != null && !run.isWaiting()) {
            run.close();
        }
        if (run == null) {
            Optional<SandboxRun> restored = host.templates().start(plan, request);
            run = restored.isPresent() ? restored.get() : SandboxRun.start(host, plan, request);
        } else {
            run.submit(request, plan);
        }
        if (prestart && uses.merge(key, 1, Integer::sum) >= 2) {
            while (ready.size() < SPARES_PER_SANDBOX && !closed) {
                try {
                    // Restored where its isolated tests are, else started.
                    Optional<SandboxRun> restored = request instanceof Messages.RunTest
                            ? host.templates().prestart(plan) : Optional.empty();
                    ready.addLast(restored.isPresent() ? restored.get() : SandboxRun.prestart(host, plan, true));
                } catch (RuntimeException e) {
                    // A spare only saves time; the next test starts its own child and reports what fails.
                    break;
                }
            }
            if (closed) {
                close();
            }
        }
        return run;
    }

    /** Removes every spare; later starts make none. */
    @Override
    public void close() {
        closed = true;
        for (Deque<SandboxRun> ready : spares.values()) {
            SandboxRun spare;
            while ((spare = ready.pollFirst()) != null) {
                spare.close();
            }
        }
    }
}
