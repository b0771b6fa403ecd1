package dev.belljar.internal.channel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The parent's accept and the child's connect meet on the pipes; closing them ends a waiting accept. */
class ChannelPipesTest {

    @Test
    void messagesGoBothWaysAndTheParentSeesEofWhenTheChildLetsGo(@TempDir Path dir) throws Exception {
        try (ChannelPipes pipes = ChannelPipes.make(WorkDir.at(dir), false)) {
            CompletableFuture<ChannelPipes.Connection> accepted = acceptAsync(pipes);
            try (ChannelPipes.Connection child = ChannelPipes.connect(WorkDir.at(dir));
                 ChannelPipes.Connection parent = accepted.get(30, TimeUnit.SECONDS)) {
                DataOutputStream toChild = new DataOutputStream(parent.output());
                toChild.writeUTF("run this");
                assertThat(new DataInputStream(child.input()).readUTF()).isEqualTo("run this");
                new DataOutputStream(child.output()).writeUTF("finished");
                DataInputStream fromChild = new DataInputStream(parent.input());
                assertThat(fromChild.readUTF()).isEqualTo("finished");

                child.close();
                assertThatThrownBy(fromChild::readUTF).isInstanceOf(EOFException.class);
            }
        }
    }

    @Test
    void closingEndsAnAcceptThatWaitsForAChildAndLeavesNothingToConnectTo(@TempDir Path dir) throws Exception {
        ChannelPipes pipes = ChannelPipes.make(WorkDir.at(dir), false);
        CompletableFuture<ChannelPipes.Connection> accepted = acceptAsync(pipes);
        Thread.sleep(200); // the accept waits in its open

        pipes.close();

        assertThatThrownBy(() -> accepted.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasRootCauseInstanceOf(IOException.class);
        assertThatThrownBy(() -> ChannelPipes.connect(WorkDir.at(dir))).isInstanceOf(NoSuchFileException.class);
        try (var left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void pipesForAChildThatRunsAsNobodyAreOpenToAnyone(@TempDir Path dir) throws Exception {
        try (ChannelPipes pipes = ChannelPipes.make(WorkDir.at(dir), true)) {
            for (String pipe : new String[] {WorkDir.FROM_CHILD_PIPE, WorkDir.TO_CHILD_PIPE}) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(pipe))))
                        .isEqualTo("rw-rw-rw-");
            }
        }
    }

    private static CompletableFuture<ChannelPipes.Connection> acceptAsync(ChannelPipes pipes) {
        CompletableFuture<ChannelPipes.Connection> accepted = new CompletableFuture<>();
        Thread acceptor = new Thread(() -> {
            try {
                accepted.complete(pipes.accept());
            } catch (IOException | RuntimeException e) {
                accepted.completeExceptionally(e);
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        return accepted;
    }
}
