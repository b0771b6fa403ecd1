package dev.belljar.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The child halts when its stdin, the lifeline to the parent, reaches EOF. */
class ChildLifelineTest {

    @Test
    void childWaitingForItsTestHaltsWhenTheParentGoes(@TempDir Path workDir) throws Exception {
        try (ServerSocketChannel parent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            parent.bind(UnixDomainSocketAddress.of(workDir.resolve(ChildMain.SOCKET_FILE)));
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), ChildMain.class.getName(), workDir.toString())
                    .redirectErrorStream(true).start();
            try {
                // connected (the backlog accepts it) and waiting for its test: still alive
                assertThat(child.waitFor(1, TimeUnit.SECONDS)).isFalse();
                child.getOutputStream().close();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(child.exitValue()).isEqualTo(ChildMain.PARENT_GONE);
            } finally {
                child.destroyForcibly().waitFor();
            }
        }
    }
}
