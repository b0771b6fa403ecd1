package dev.belljar.internal.parent;

import dev.belljar.internal.channel.Messages;

import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
    private final ExecutorService restorer = Executors.newFixedThreadPool(SPARES_PER_SANDBOX, task -> {
        Thread thread = new Thread(task, "belljar-spare-restorer");
        thread.setDaemon(true);
        return thread;
    });
    /** Spares of each sandbox that {@link #restorer} is restoring now. */
    private final Map<String, AtomicInteger> restoring = new ConcurrentHashMap<>();
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

    /**
     * Restores spares until {@code ready} holds {@link #SPARES_PER_SANDBOX}, counting those under
     * way: one per restorer thread at a time, since a restore mostly waits (for CRIU, then for the
     * restored JVM to reach the parent) and one after another they fell behind the tests. One call
     * hands out at most that many restores: where the template failed each ends at once, and
     * counting on them to fill {@code ready} would hand out restores forever.
     */
    private void restoreInBackground(String key, LaunchPlan plan, Deque<SandboxRun> ready) {
        AtomicInteger underWay = restoring.computeIfAbsent(key, k -> new AtomicInteger());
        int handedOut = 0;
        while (!closed && handedOut < SPARES_PER_SANDBOX) {
            int now = underWay.get();
            if (ready.size() + now >= SPARES_PER_SANDBOX) {
                return;
            }
            if (!underWay.compareAndSet(now, now + 1)) {
                continue;
            }
            handedOut++;
            try {
                restorer.execute(() -> {
                    try {
                        // Empty where the template failed (reported once): the next tests start fresh children.
                        host.templates().prestart(plan).ifPresent(ready::addLast);
                    } catch (InterruptedException e) {
                        // close() stops the restorers, then removes the spares
                    } catch (RuntimeException e) {
                        // A spare only saves time; the next test gets a child of its own.
                    } finally {
                        underWay.decrementAndGet();
                    }
                });
            } catch (RejectedExecutionException closedMeanwhile) {
                underWay.decrementAndGet();
                return;
            }
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
