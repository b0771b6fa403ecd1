package dev.belljar.samples;

import dev.belljar.Expect;
import dev.belljar.Isolated;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** A thread pool that wants two cores, under a quota of half a core: the kernel throttles it. */
class CpuThrottlingSamples {

    // tag::throttled[]
    @Test
    @Isolated(cpu = "0.5")
    @Expect(throttledTime = "> 0")
    void busyPoolIsThrottledAtHalfACore() throws Exception {
        assertThat(Runtime.getRuntime().availableProcessors()).isEqualTo(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<Long>> results = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            results.add(pool.submit(CpuThrottlingSamples::spin));
        }
        for (Future<Long> result : results) {
            assertThat(result.get()).isNotZero();
        }
        pool.shutdown();
    }
    // end::throttled[]

    /** About 0.1 s of CPU per thread on a current core: more than one 50 ms quota. */
    private static long spin() {
        long x = 1;
        for (long i = 0; i < 100_000_000L; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x | 1;
    }
}
