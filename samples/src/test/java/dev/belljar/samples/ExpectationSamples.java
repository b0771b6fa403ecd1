package dev.belljar.samples;

// tag::imports[]
import dev.belljar.Expect;
import dev.belljar.Isolated;     // not org.junit.jupiter.api.parallel.Isolated
import org.junit.jupiter.api.Test;
// end::imports[]

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Bounds on what the test itself costs, on top of the JVM that runs it. */
class ExpectationSamples {

    // tag::test-share[]
    @Test
    @Isolated(memory = "96M")
    @Expect(testMemory = "< 16M", testCpuTime = "< 60s")
    void boundedCacheStaysSmall() {
        Map<Integer, String> cache = new LinkedHashMap<>(1_024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, String> eldest) {
                return size() > 1_000;
            }
        };
        for (int i = 0; i < 20_000; i++) {
            cache.put(i, "value " + i);
        }
        assertThat(cache).hasSize(1_000);
    }
    // end::test-share[]
}
