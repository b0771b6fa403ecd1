package dev.belljar.linux.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HostTest {

    @Test
    void runGivesTheStatusAndTheOutputOfBothStreams() {
        Host.CommandResult result = Host.run(List.of("/bin/sh", "-c", "echo out; echo err >&2; exit 3"), 10);
        assertThat(result.status()).isEqualTo(3);
        assertThat(result.output()).contains("out", "err");
        assertThat(result.firstLine()).isIn("out", "err");
    }

    @Test
    void aCommandThatDoesNotFinishInTimeIsKilledAndSaysSo() {
        Host.CommandResult result = Host.run(List.of("/bin/sleep", "30"), 1);
        assertThat(result.status()).isEqualTo(-1);
        assertThat(result.output()).isEqualTo("/bin/sleep 30 did not finish within 1 s");
    }

    @Test
    void aMissingProgramIsAResultNotAnException() {
        Host.CommandResult result = Host.run(List.of("/nonexistent/program"), 1);
        assertThat(result.status()).isEqualTo(-1);
        assertThat(result.output()).startsWith("/nonexistent/program could not run");
    }

    @Test
    void effectiveUidComesFromTheStatusFile(@TempDir Path dir) throws Exception {
        Path status = Files.writeString(dir.resolve("status"), "Name:\tjava\nUid:\t1000\t1001\t1000\t1000\n");
        assertThat(Host.effectiveUid(status)).isEqualTo(1001);
    }
}
