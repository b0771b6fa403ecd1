package dev.belljar.linux.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The relay's faults on this host's own loopback: lower bounds of time only, never the machine's speed. */
class RelayTest {
    /** A read that waits this long failed: the test fails instead of hanging the build. */
    private static final int READ_TIMEOUT_MILLIS = 30_000;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    @Test
    void latencyDelaysEachDirectionByAtLeastItsLatencyLessItsJitter() throws Exception {
        Relay relay = relayTo(HostService.echo(), Faults.NONE
                .withLatency(Direction.UPSTREAM, Duration.ofMillis(150), Duration.ZERO)
                .withLatency(Direction.DOWNSTREAM, Duration.ofMillis(100), Duration.ofMillis(50)));
        Socket client = connect(relay);

        long start = System.nanoTime();
        client.getOutputStream().write('x');
        assertThat(client.getInputStream().read()).isEqualTo('x');

        assertThat(millisSince(start)).isGreaterThanOrEqualTo(150 + 50);
    }

    @Test
    void latencyKeepsTheOrderOfTheBytes() throws Exception {
        Relay relay = relayTo(HostService.echo(), Faults.NONE
                .withLatency(Direction.UPSTREAM, Duration.ofMillis(20), Duration.ofMillis(20)));
        Socket client = connect(relay);
        byte[] sent = HostService.pattern(200);

        for (byte b : sent) {
            client.getOutputStream().write(b);
        }

        assertThat(client.getInputStream().readNBytes(sent.length)).isEqualTo(sent);
    }

    @Test
    void aStallHoldsTheDataUntilResumedAndKeepsTheConnectionOpen() throws Exception {
        Relay relay = relayTo(HostService.echo(), Faults.NONE);
        Socket client = connect(relay);
        client.setSoTimeout(300);

        relay.updateFaults(faults -> faults.withStall(true));
        client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

        relay.updateFaults(faults -> faults.withStall(false));
        assertThat(new String(client.getInputStream().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
    }

    @Test
    void aResetAfterNBytesDeliversExactlyThoseThenResets() throws Exception {
        Relay relay = relayTo(HostService.sending(10_000), Faults.NONE.withResetAfter(4_096));
        Socket client = connect(relay);

        ByteArrayOutputStream received = new ByteArrayOutputStream();
        assertThatThrownBy(() -> readAll(client.getInputStream(), received))
                .isInstanceOf(SocketException.class).hasMessageContaining("reset");

        assertThat(received.toByteArray()).isEqualTo(Arrays.copyOf(HostService.pattern(10_000), 4_096));
        assertThat(relay.counters().reset()).isEqualTo(1);
        assertThat(relay.counters().bytesDownstream()).isEqualTo(4_096);
    }

    @Test
    void aResetAtOnceResetsOpenConnectionsAndNewOnes() throws Exception {
        Relay relay = relayTo(HostService.echo(), Faults.NONE);
        Socket open = connect(relay);
        open.getOutputStream().write('a');
        assertThat(open.getInputStream().read()).isEqualTo('a');

        relay.updateFaults(faults -> faults.withResetAfter(0));
        Socket later = connect(relay);

        assertThatThrownBy(() -> open.getInputStream().read()).isInstanceOf(SocketException.class)
                .hasMessageContaining("reset");
        assertThatThrownBy(() -> later.getInputStream().read()).isInstanceOf(SocketException.class)
                .hasMessageContaining("reset");
        assertThat(relay.counters().reset()).isEqualTo(2);
    }

    @Test
    void aBandwidthLimitMakesATransferTakeAtLeastItsSizeOverTheRate() throws Exception {
        int bytes = 50_000;
        long bytesPerSecond = 100_000;
        Relay relay = relayTo(HostService.sending(bytes), Faults.NONE.withBandwidth(bytesPerSecond));

        long start = System.nanoTime();
        Socket client = connect(relay);
        byte[] received = client.getInputStream().readAllBytes();

        assertThat(received).isEqualTo(HostService.pattern(bytes));
        assertThat(millisSince(start)).isGreaterThanOrEqualTo(bytes * 1000 / bytesPerSecond);
    }

    @Test
    void connectionsBeyondTheLimitAreRefused() throws Exception {
        Relay relay = relayTo(HostService.echo(), Faults.NONE.withConnectionLimit(1));
        Socket first = connect(relay);
        first.getOutputStream().write('a');
        assertThat(first.getInputStream().read()).isEqualTo('a');

        Socket second = connect(relay);

        assertThatThrownBy(() -> second.getInputStream().read()).isInstanceOf(SocketException.class)
                .hasMessageContaining("reset");
        first.getOutputStream().write('b');
        assertThat(first.getInputStream().read()).isEqualTo('b');
        assertThat(relay.counters().accepted()).isEqualTo(1);
        assertThat(relay.counters().refused()).isEqualTo(1);
    }

    @Test
    void slicingDeliversEverythingInSegmentsNoLargerThanTheSlice() throws Exception {
        int bytes = 4_000;
        Relay relay = relayTo(HostService.sending(bytes), Faults.NONE.withSlicing(1_000, Duration.ofMillis(50)));

        long start = System.nanoTime();
        Socket client = connect(relay);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[bytes];
        List<Integer> reads = new ArrayList<>();
        for (int n; (n = client.getInputStream().read(buffer)) > 0; ) {
            reads.add(n);
            received.write(buffer, 0, n);
        }

        assertThat(received.toByteArray()).isEqualTo(HostService.pattern(bytes));
        assertThat(reads).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(1_000));
        assertThat(millisSince(start)).isGreaterThanOrEqualTo(50);
    }

    @Test
    void theCountersAddUpWhatWentThrough() throws Exception {
        Relay relay = relayTo(HostService.echo(), Faults.NONE);
        for (int i = 0; i < 3; i++) {
            try (Socket client = connect(relay)) {
                client.getOutputStream().write(HostService.pattern(1_000));
                assertThat(client.getInputStream().readNBytes(1_000)).isEqualTo(HostService.pattern(1_000));
            }
        }

        // A relay counts bytes once written, so the client may have read them just before.
        Relay.Counters expected = new Relay.Counters(3, 0, 0, 3_000, 3_000);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!relay.counters().equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(relay.counters()).isEqualTo(expected);
    }

    @Test
    void anUnreachableTargetResetsTheClient() throws Exception {
        HostService gone = HostService.echo();
        gone.close();
        LoopbackListener listener = LoopbackListener.onThisHost(0);
        Relay relay = open(Relay.start(listener, gone.address(), Faults.NONE));

        Socket client = connect(relay);

        assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketException.class)
                .hasMessageContaining("reset");
        assertThat(relay.counters().reset()).isEqualTo(1);
    }

    @Test
    void closeEndsEveryThreadAndClosesEverySocket() throws Exception {
        LoopbackListener listener = LoopbackListener.onThisHost(0);
        HostService service = open(HostService.echo());
        Relay relay = Relay.start(listener, service.address(), Faults.NONE.withLatency(Direction.UPSTREAM,
                Duration.ofSeconds(10), Duration.ZERO));
        Socket client = open(new Socket(InetAddress.getLoopbackAddress(), listener.port()));
        client.setSoTimeout(READ_TIMEOUT_MILLIS);
        client.getOutputStream().write('x'); // waits out its latency in a writer when the relay closes

        relay.close();

        String prefix = "belljar-relay-" + listener.port() + "-";
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(thread -> thread.getName().startsWith(prefix));
        assertThat(listener.channel().isOpen()).isFalse();
        assertThat(endOfStreamOrReset(client)).isTrue();
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), listener.port()))
                .isInstanceOf(ConnectException.class);
    }

    /** The race {@link #closeEndsEveryThreadAndClosesEverySocket} can lose: a connection the acceptor starts as the relay closes. */
    @Test
    void aConnectionStartedAsTheRelayClosesClosesItsSockets() throws Exception {
        HostService service = open(HostService.echo());
        Relay relay = Relay.start(LoopbackListener.onThisHost(0), service.address(), Faults.NONE);
        relay.close();
        ServerSocketChannel elsewhere = open(ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        Socket client = open(new Socket(InetAddress.getLoopbackAddress(), elsewhere.socket().getLocalPort()));
        SocketChannel accepted = elsewhere.accept();

        new RelayedConnection(relay, 1, accepted, SocketChannel.open(service.address())).start();

        client.setSoTimeout(READ_TIMEOUT_MILLIS);
        assertThat(endOfStreamOrReset(client)).isTrue();
    }

    private Relay relayTo(HostService service, Faults faults) throws IOException {
        open(service);
        return open(Relay.start(LoopbackListener.onThisHost(0), service.address(), faults));
    }

    private Socket connect(Relay relay) throws IOException {
        Socket client = open(new Socket(InetAddress.getLoopbackAddress(), relay.port()));
        client.setSoTimeout(READ_TIMEOUT_MILLIS);
        return client;
    }

    private static void readAll(InputStream in, ByteArrayOutputStream into) throws IOException {
        byte[] buffer = new byte[1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            into.write(buffer, 0, n);
        }
    }

    /** A closed socket with unread data sends a RST instead of a FIN: either says the relay closed it. */
    private static boolean endOfStreamOrReset(Socket client) throws IOException {
        try {
            return client.getInputStream().read() == -1;
        } catch (SocketException e) {
            return e.getMessage().contains("reset");
        }
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private <T extends AutoCloseable> T open(T closeable) {
        opened.add(closeable);
        return closeable;
    }
}
