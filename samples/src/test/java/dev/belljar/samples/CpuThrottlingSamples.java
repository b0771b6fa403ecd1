package dev.belljar.samples;

import dev.belljar.Expect;
import dev.belljar.Isolated;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A thread pool that wants four cores, under a quota of half a core: the kernel throttles it.
 * Each thread spins until it has used its own 300 ms of CPU, however long that takes, so that
 * throttling is certain on a loaded host too: there the pool still gets more than half a core in
 * a 100 ms period unless the host's other work outweighs its four threads many times over.
 */
class CpuThrottlingSamples {
    private static final int THREADS = 4;

    // tag::throttled[]
    @Test
    @Isolated(cpu = "0.5")
    @Expect(throttledTime = "> 0")
    void busyPoolIsThrottledAtHalfACore() throws Exception {
        assertThat(Runtime.getRuntime().availableProcessors()).isEqualTo(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<Long>> results = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            results.add(pool.submit(() -> spinFor(Duration.ofMillis(300))));
        }
        for (Future<Long> result : results) {
            assertThat(result.get()).isNotZero();
        }
        pool.shutdown();
    }
    // end::throttled[]

    /** Busy until this thread has used {@code cpu} of CPU time: 4 x 300 ms at 0.5 cores is 2.4 s. */
    private static long spinFor(Duration cpu) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long until = threads.getCurrentThreadCpuTime() + cpu.toNanos();
        long x = 1;
        while (threads.getCurrentThreadCpuTime() < until) {
            for (int i = 0; i < 1_000_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
        }
        return x | 1;
    }
}
