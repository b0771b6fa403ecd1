package dev.belljar;

import dev.belljar.linux.host.Host;
import dev.belljar.linux.net.TrafficControl;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/**
 * netFaults on the sandbox's own loopback, through the kernel's traffic control: a rate (tbf) on
 * every kernel, delay and loss (netem) where the kernel has netem, and where it has none the test
 * is aborted with the reason. What each fault guarantees is asserted, never the machine's speed.
 */
class NetFaultsTest extends KernelTest {
    private static final Optional<String> NO_NETEM = TrafficControl.cannotEmulate(
            Host.findExecutable("unshare").orElse(Path.of("/usr/bin/unshare")));

    private static Events run(String name) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectMethod(Cases.class, name)).execute().testEvents();
    }

    @Test
    void aRateMakesATransferOnTheLoopbackTakeAtLeastItsSizeOverTheRate() {
        run("rateLimited").assertThatEvents().haveExactly(1, event(test("rateLimited"), finishedSuccessfully()));
    }

    @Test
    void aDelayHoldsEveryPacketWhereTheKernelHasNetemAndIsRefusedWhereItHasNot() {
        Events events = run("delayed");
        if (NO_NETEM.isPresent()) {
            events.assertThatEvents().haveExactly(1, event(test("delayed"), abortedWithReason(message(m ->
                    m.contains("netFaults = \"delay=150ms\" needs netem") && m.contains("sch_netem")))));
        } else {
            events.assertThatEvents().haveExactly(1, event(test("delayed"), finishedSuccessfully()));
        }
    }

    static class Cases {
        /** 1 MiB both ways together at 256 KiB/s: tbf lets its bucket (128 KiB) through at once, the rest at the rate. */
        @Test
        @Isolated(net = Net.PRIVATE, netFaults = "rate=256K")
        void rateLimited() throws Exception {
            long start = System.nanoTime();
            assertThat(transferOnTheLoopback(1 << 20)).isEqualTo(1 << 20);
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(2_000_000_000L);
        }

        /** A connection's handshake crosses the loopback there and back: at least twice the delay. */
        @Test
        @Isolated(net = Net.PRIVATE, netFaults = "delay=150ms")
        void delayed() throws Exception {
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                long start = System.nanoTime();
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(300_000_000L);
                }
            }
        }

        private static long transferOnTheLoopback(int bytes) throws IOException, InterruptedException {
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                Thread sender = new Thread(() -> {
                    try (Socket peer = server.accept()) {
                        peer.getOutputStream().write(new byte[bytes]);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                sender.start();
                long received = 0;
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                    InputStream in = client.getInputStream();
                    byte[] buffer = new byte[65536];
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        received += n;
                    }
                }
                sender.join();
                return received;
            }
        }
    }
}
