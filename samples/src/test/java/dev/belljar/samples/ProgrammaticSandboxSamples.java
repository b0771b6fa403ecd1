package dev.belljar.samples;

import com.sun.jna.Memory;
import dev.belljar.BelljarExtension;
import dev.belljar.Sandbox;
import dev.belljar.SandboxResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.belljar.assertj.BelljarAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/** Tests that stay in the test JVM and run workloads in sandboxes of their own. */
// tag::setup[]
@ExtendWith(BelljarExtension.class)
class ProgrammaticSandboxSamples {
// end::setup[]

    // tag::run[]
    @Test
    void boundedCacheStaysWithinItsShare(Sandbox sandbox) {
        SandboxResult result = sandbox.with(spec -> spec.memory("96M")).run(ProgrammaticSandboxSamples::fillBoundedCache);

        assertThat(result).succeeded().memory().testShareIsBelow("16M");
    }

    @Test
    void unboundedNativePoolIsOomKilled(Sandbox sandbox) {
        SandboxResult result = sandbox.with(spec -> spec.memory("64M")).run(ProgrammaticSandboxSamples::fillNativePool);

        assertThat(result).wasOomKilled();
    }
    // end::run[]

    // tag::call[]
    @Test
    void computationReturnsItsValue(Sandbox sandbox) {
        SandboxResult result = sandbox.with(spec -> spec.hostname("worker-1")).call(ProgrammaticSandboxSamples::hostname);

        assertThat(result.value(String.class)).isEqualTo("worker-1");
    }
    // end::call[]

    // tag::workloads[]
    static void fillBoundedCache() {
        Map<Integer, String> cache = new LinkedHashMap<>(1_024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, String> eldest) {
                return size() > 1_000;
            }
        };
        for (int i = 0; i < 20_000; i++) {
            cache.put(i, "value " + i);
        }
    }

    static void fillNativePool() {
        List<Memory> pool = new ArrayList<>();
        while (true) {
            Memory buffer = new Memory(4 << 20);
            buffer.clear();     // touch every page: now the kernel charges it to the sandbox
            pool.add(buffer);
        }
    }

    static String hostname() throws IOException {
        return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
    }
    // end::workloads[]
}
