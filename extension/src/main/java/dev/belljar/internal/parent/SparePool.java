package dev.belljar.internal.parent;

import dev.belljar.internal.channel.Messages;

import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

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
    /**
     * Restores spares while tests run: a restore waits until its child reached the parent (so that
     * a failed one never reaches a test), which would otherwise hold up the test that asked for it.
     */
    private final ExecutorService restorer = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "belljar-spare-restorer");
        thread.setDaemon(true);
        return thread;
    });
    /** Sandboxes whose spares {@link #restorer} is restoring now. */
    private final Set<String> restoring = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    SparePool(HostSupport host) {
        this.host = host;
    }

    /**
     * Starts the child for {@code request}: a spare when an earlier test with the same sandbox
     * left one ready, else one restored from a warm template, else a fresh one. From the second
     * test with a sandbox on (with {@code prestart}), the next children are started ahead,
     * {@link #SPARES_PER_SANDBOX} of them: restored in the background where this child was
     * restored, else started now. The caller owns the run and must close it.
     */
    public SandboxRun start(LaunchPlan plan, Messages.Request request, boolean prestart) throws InterruptedException {
        String key = plan.childKey();
        ConcurrentLinkedDeque<SandboxRun> ready = spares.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
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
            if (run.startedAs() == SandboxRun.StartedAs.RESTORED) {
                restoreInBackground(key, plan, ready);
            } else {
                startNow(plan, ready);
            }
        }
        return run;
    }

    private void startNow(LaunchPlan plan, Deque<SandboxRun> ready) throws InterruptedException {
        while (ready.size() < SPARES_PER_SANDBOX && !closed) {
            try {
                ready.addLast(SandboxRun.prestart(host, plan, true));
            } catch (RuntimeException e) {
                // A spare only saves time; the next test starts its own child and reports what fails.
                break;
            }
        }
        if (closed) {
            closeSpares();
        }
    }

    private void restoreInBackground(String key, LaunchPlan plan, Deque<SandboxRun> ready) {
        if (closed || !restoring.add(key)) {
            return;
        }
        try {
            restorer.execute(() -> {
                try {
                    while (ready.size() < SPARES_PER_SANDBOX && !closed) {
                        Optional<SandboxRun> spare = host.templates().prestart(plan);
                        if (spare.isEmpty()) {
                            // The template failed (reported once): the next test starts fresh, and its spares too.
                            break;
                        }
                        ready.addLast(spare.get());
                    }
                } catch (InterruptedException e) {
                    // close() stops the restorer, then removes the spares
                } catch (RuntimeException e) {
                    // A spare only saves time; the next test gets a child of its own.
                } finally {
                    restoring.remove(key);
                }
            });
        } catch (RejectedExecutionException closedMeanwhile) {
            restoring.remove(key);
        }
    }

    /** Removes every spare, and stops restoring more; later starts make none. */
    @Override
    public void close() {
        closed = true;
        restorer.shutdownNow();
        try {
            // A restore under way ends its sandbox when interrupted; what the restorer added before goes below.
            restorer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeSpares();
    }

    private void closeSpares() {
        for (Deque<SandboxRun> ready : spares.values()) {
            SandboxRun spare;
            while ((spare = ready.pollFirst()) != null) {
                spare.close();
            }
        }
    }
}
