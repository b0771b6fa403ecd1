package dev.belljar.samples;

import com.sun.jna.Memory;
import dev.belljar.Isolated;
import dev.belljar.SandboxContext;
import dev.belljar.User;
import org.junit.jupiter.api.Test;

import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An isolated test looks at its own sandbox from inside. */
class SandboxContextSamples {

    // tag::live-usage[]
    @Test
    @Isolated(memory = "96M")
    void nativeBufferIsChargedToTheSandbox(SandboxContext sandbox) {
        long before = sandbox.memoryCurrentBytes();
        Memory buffer = new Memory(16 << 20);
        buffer.clear();     // touch every page
        assertThat(sandbox.memoryCurrentBytes() - before).isGreaterThan(12L << 20);
    }
    // end::live-usage[]

    // tag::nobody[]
    @Test
    @Isolated(user = User.NOBODY)
    void unprivilegedCodeCannotWriteToEtc() {
        assertThatThrownBy(() -> Files.writeString(Path.of("/etc/belljar-sample"), "x"))
                .isInstanceOf(AccessDeniedException.class);
    }
    // end::nobody[]
}
