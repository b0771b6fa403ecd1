package dev.belljar.internal.child;

import dev.belljar.internal.channel.ChannelPipes;
import dev.belljar.internal.channel.WorkDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The child halts when its stdin, the lifeline to the parent, reaches EOF. */
class ChildLifelineTest {

    @Test
    void childWaitingForItsTestHaltsWhenTheParentGoes(@TempDir Path workDir) throws Exception {
        try (ChannelPipes parent = ChannelPipes.make(WorkDir.at(workDir), false)) {
            CompletableFuture<ChannelPipes.Connection> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return parent.accept();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), ChildMain.class.getName(), workDir.toString())
                    .redirectErrorStream(true).start();
            try {
                try (ChannelPipes.Connection connection = accepted.get(30, TimeUnit.SECONDS)) {
                    // connected and waiting for its test: still alive
                    assertThat(child.waitFor(1, TimeUnit.SECONDS)).isFalse();
                    child.getOutputStream().close();
                    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                    assertThat(child.exitValue()).isEqualTo(ChildMain.PARENT_GONE);
                }
            } finally {
                child.destroyForcibly().waitFor();
            }
        }
    }
}
