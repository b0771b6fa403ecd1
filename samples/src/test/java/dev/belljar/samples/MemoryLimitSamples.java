package dev.belljar.samples;

import com.sun.jna.Memory;
import dev.belljar.Expect;
import dev.belljar.Isolated;
import dev.belljar.Outcome;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A parser that must stay within 64M, and a native buffer pool that the kernel kills at 64M. */
class MemoryLimitSamples {

    // tag::within-limit[]
    @Test
    @Isolated(memory = "64M")
    @Expect(peakMemory = "< 64M")
    void wordCountStaysWithin64M() {
        Map<String, Integer> counts = new HashMap<>();
        for (int line = 0; line < 200_000; line++) {
            for (String word : ("the quick brown fox " + (line % 1000) + " jumps").split(" ")) {
                counts.merge(word, 1, Integer::sum);
            }
        }
        assertThat(counts).containsEntry("fox", 200_000);
    }
    // end::within-limit[]

    // tag::oom-killed[]
    @Test
    @Isolated(memory = "64M")
    @Expect(outcome = Outcome.OOM_KILLED)
    void leakingNativeBufferPoolIsOomKilled() {
        List<Memory> pool = new ArrayList<>();
        while (true) {
            Memory buffer = new Memory(4 << 20);
            buffer.clear();     // touch every page: now the kernel charges it to the sandbox
            pool.add(buffer);
        }
    }
    // end::oom-killed[]
}
