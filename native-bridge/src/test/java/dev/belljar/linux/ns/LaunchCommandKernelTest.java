package dev.belljar.linux.ns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belljar.linux.host.Host;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The launched init on the real kernel: it reaps and reports, and says nothing of its own. */
@Tag("kernel")
class LaunchCommandKernelTest {

    @Test
    void aProgramKilledByASignalEndsWith128PlusItAndOnlyItsOwnOutput() throws IOException, InterruptedException {
        Path unshare = Host.findExecutable("unshare").orElseThrow();
        // A non-root user makes its PID namespace inside a user namespace.
        LaunchCommand.UserMapping user = Host.effectiveUid() == 0 ? LaunchCommand.UserMapping.NONE
                : LaunchCommand.UserMapping.ROOT;
        Process process = new ProcessBuilder(new LaunchCommand(unshare).userNamespace(user)
                .build(List.of("/bin/sh", "-c", "echo from-the-program >&2; kill -9 $$"))).start();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor()).isEqualTo(128 + 9);
        assertThat(stderr).isEqualTo("from-the-program\n");
    }
}
