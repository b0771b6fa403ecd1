package dev.belljar.samples;

import dev.belljar.Isolated;
import dev.belljar.Net;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hermetic tests: a private network with only loopback, and a PID namespace that cleans up. */
class IsolationSamples {

    // tag::private-net[]
    @Test
    @Isolated(net = Net.PRIVATE)
    void hermeticTestCannotReachTheNetworkButHasLoopback() throws IOException {
        assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("192.0.2.1", 80), 1000))
                .isInstanceOf(IOException.class);
        try (ServerSocket server = new ServerSocket(0);
             Socket client = new Socket("127.0.0.1", server.getLocalPort())) {
            assertThat(client.isConnected()).isTrue();
        }
    }
    // end::private-net[]

    // tag::pid-namespace[]
    @Test
    @Isolated(pid = true)
    void subprocessesDieWithTheTest() throws IOException {
        Process orphan = new ProcessBuilder("sleep", "600").start();
        assertThat(orphan.isAlive()).isTrue();
        // No cleanup: when the test's JVM exits, the kernel kills everything in its PID namespace.
    }
    // end::pid-namespace[]
}
