package dev.belljar;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.belljar.assertj.BelljarAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/**
 * Host services reached from a private network through the test JVM's relays, with faults declared
 * on the port and changed by the test while it runs; what each port carried comes back as
 * accounting. The services run in this JVM, on fixed ports of the host's loopback.
 */
@ExtendWith(BelljarExtension.class)
class HostPortsTest extends KernelTest {
    static final int GREETING = 47801;
    static final int DOWNLOAD = 47802;
    static final int UNFORWARDED = 47803;
    static final int DOWNLOAD_BYTES = 256 << 10;

    private static final List<ServerSocket> SERVICES = new ArrayList<>();

    @BeforeAll
    static void startHostServices() throws IOException {
        // Answers each line with "hello " and the line.
        serve(GREETING, (in, out) -> {
            StringBuilder line = new StringBuilder();
            for (int c; (c = in.read()) >= 0; ) {
                if (c == '\n') {
                    out.write(("hello " + line + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    line.setLength(0);
                } else {
                    line.append((char) c);
                }
            }
        });
        serve(DOWNLOAD, (in, out) -> out.write(new byte[DOWNLOAD_BYTES]));
        serve(UNFORWARDED, (in, out) -> out.write("never reached\n".getBytes(StandardCharsets.UTF_8)));
    }

    @AfterAll
    static void stopHostServices() throws IOException {
        for (ServerSocket service : SERVICES) {
            service.close();
        }
    }

    private interface Conversation {
        void talk(InputStream in, OutputStream out) throws IOException;
    }

    private static void serve(int port, Conversation conversation) throws IOException {
        ServerSocket service = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        SERVICES.add(service);
        Thread acceptor = new Thread(() -> {
            while (!service.isClosed()) {
                try {
                    Socket client = service.accept();
                    Thread talker = new Thread(() -> {
                        try (client) {
                            conversation.talk(client.getInputStream(), client.getOutputStream());
                        } catch (IOException e) {
                            // the client went, or the relay reset it: as a real service sees it
                        }
                    }, "host-service-" + port);
                    talker.setDaemon(true);
                    talker.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "host-service-" + port + "-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static Events run(String name) {
        Method method = Arrays.stream(Cases.class.getDeclaredMethods()).filter(m -> m.getName().equals(name)).findFirst()
                .orElseThrow();
        return EngineTestKit.engine("junit-jupiter").selectors(selectMethod(Cases.class, method)).execute().testEvents();
    }

    private static void assertPassed(String name) {
        run(name).assertThatEvents().haveExactly(1, event(test(name), finishedSuccessfully()));
    }

    @Test
    void aForwardedHostServiceIsReachableInsideAtItsPortOrAnotherAndNothingElseOfTheHostIs() {
        assertPassed("reachesTheForwardedServiceOnly");
    }

    @Test
    void eachPortsTrafficIsAccountedAndReported() {
        Events events = run("reachesTheForwardedServiceOnly");
        Map<String, String> entries = events.reportingEntryPublished().stream()
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs())
                .filter(e -> e.containsKey("belljar.outcome")).findFirst().orElseThrow();
        assertThat(entries).containsEntry("belljar.net.port.80.hostPort", Integer.toString(GREETING))
                .containsEntry("belljar.net.port.80.connections", "1")
                .containsEntry("belljar.net.port.80.bytesUpstream", Integer.toString("inside\n".length()))
                .containsEntry("belljar.net.port.80.bytesDownstream", Integer.toString("hello inside\n".length()))
                .containsEntry("belljar.net.port." + GREETING + ".connections", "1");
        assertThat(entries.get("belljar.summary")).contains(", port 80: 1 connection (7 B up, 13 B down)");
    }

    @Test
    void latencyDelaysEveryAnswerByAtLeastTheDeclaredTime() {
        assertPassed("latencyDelaysTheAnswer");
    }

    @Test
    void aStalledPortKeepsTheConnectionOpenAndTheClientsReadTimesOut() {
        assertPassed("stallMakesTheReadTimeOut");
    }

    @Test
    void resetAfterEndsTheDownloadWithAResetAfterThatManyBytes() {
        assertPassed("resetAfterCutsTheDownload");
    }

    @Test
    void bandwidthMakesTheDownloadTakeAtLeastItsSizeOverTheRate() {
        assertPassed("bandwidthCapsTheDownload");
    }

    @Test
    void connectionsBeyondTheLimitAreReset() {
        assertPassed("aSecondConnectionIsReset");
    }

    @Test
    void theTestCutsAndRestoresThePortWhileItRuns() {
        assertPassed("cutThenRestore");
    }

    @Test
    void aChangeOfAPortThatIsNotForwardedOrAFaultWrittenWrongIsRefusedWithTheReason() {
        assertPassed("badChangesAreRefused");
    }

    @Test
    void forwardsWithoutAPrivateNetworkAreRefusedBeforeTheSandboxStarts() {
        run("forwardWithoutPrivateNetwork").assertThatEvents().haveExactly(1, event(test("forwardWithoutPrivateNetwork"),
                finishedWithFailure(message(m -> m.contains("hostPorts = [\"" + GREETING + "\"] forwards host services"
                        + " into a private network, but net = HOST: declare net = PRIVATE")))));
    }

    @Test
    void aSandboxOfTheProgrammaticApiForwardsAnyPortAndCountsItsConnections(Sandbox sandbox) throws IOException {
        try (ServerSocket ephemeral = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = ephemeral.getLocalPort();
            Thread service = new Thread(() -> {
                for (int i = 0; i < 2; i++) {
                    try (Socket client = ephemeral.accept()) {
                        client.getOutputStream().write('x');
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "ephemeral-service");
            service.setDaemon(true);
            service.start();

            SandboxResult result = sandbox.with(spec -> spec.net(Net.PRIVATE).hostPort(port + ":9000")).run(() -> {
                for (int i = 0; i < 2; i++) {
                    try (Socket socket = new Socket("127.0.0.1", 9000)) {
                        if (socket.getInputStream().read() != 'x') {
                            throw new AssertionError("no answer from the host service");
                        }
                    }
                }
            });

            assertThat(result).succeeded().port(9000).connectionsAtLeast(2).connectionsAtMost(2).receivedAtLeast("2");
            assertThat(result.network().get(9000).hostPort()).isEqualTo(port);
        }
    }

    static class Cases {
        @Test
        @Isolated(net = Net.PRIVATE, hostPorts = {"47801", "47801:80"})
        void reachesTheForwardedServiceOnly() throws IOException {
            assertThat(exchange(80, "inside")).isEqualTo("hello inside");
            assertThat(exchange(GREETING, "again")).isEqualTo("hello again");
            assertThatThrownBy(() -> new Socket("127.0.0.1", UNFORWARDED)).isInstanceOf(ConnectException.class);
        }

        @Test
        @Isolated(net = Net.PRIVATE, hostPorts = "47801 latency=300ms")
        void latencyDelaysTheAnswer() throws IOException {
            long start = System.nanoTime();
            assertThat(exchange(GREETING, "slow")).isEqualTo("hello slow");
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(300_000_000L);
        }

        @Test
        @Isolated(net = Net.PRIVATE, hostPorts = "47801 stall=true")
        void stallMakesTheReadTimeOut() throws IOException {
            try (Socket socket = new Socket("127.0.0.1", GREETING)) {
                socket.setSoTimeout(500);
                socket.getOutputStream().write("anyone?\n".getBytes(StandardCharsets.UTF_8));
                assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            }
        }

        @Test
        @Isolated(net = Net.PRIVATE, hostPorts = "47802 resetAfter=10K")
        void resetAfterCutsTheDownload() throws IOException {
            try (Socket socket = new Socket("127.0.0.1", DOWNLOAD)) {
                socket.setSoTimeout(10_000);
                InputStream in = socket.getInputStream();
                long received = 0;
                byte[] buffer = new byte[4096];
                try {
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        received += n;
                    }
                    throw new AssertionError("the download ended in order after " + received + " bytes, not by a reset");
                } catch (SocketException reset) {
                    assertThat(reset).hasMessageContaining("reset");
                }
                assertThat(received).isLessThanOrEqualTo(10 << 10);
            }
        }

        @Test
        @Isolated(net = Net.PRIVATE, hostPorts = "47802 bandwidth=128K")
        void bandwidthCapsTheDownload() throws IOException {
            long start = System.nanoTime();
            try (Socket socket = new Socket("127.0.0.1", DOWNLOAD)) {
                assertThat(socket.getInputStream().readAllBytes()).hasSize(DOWNLOAD_BYTES);
            }
            // 256 KiB at 128 KiB/s: at least a second, whatever else the machine does (a first burst aside).
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(1_000_000_000L);
        }

        @Test
        @Isolated(net = Net.PRIVATE, hostPorts = "47801 connections=1")
        void aSecondConnectionIsReset() throws IOException {
            try (Socket first = new Socket("127.0.0.1", GREETING); Socket second = new Socket("127.0.0.1", GREETING)) {
                second.setSoTimeout(10_000);
                assertThatThrownBy(() -> {
                    second.getOutputStream().write("me too\n".getBytes(StandardCharsets.UTF_8));
                    if (second.getInputStream().read() < 0) {
                        throw new SocketException("closed without an answer");
                    }
                }).isInstanceOf(SocketException.class);
                first.setSoTimeout(10_000);
                first.getOutputStream().write("first\n".getBytes(StandardCharsets.UTF_8));
                assertThat(new String(first.getInputStream().readNBytes("hello first\n".length()), StandardCharsets.UTF_8))
                        .isEqualTo("hello first\n");
            }
        }

        @Test
        @Isolated(net = Net.PRIVATE, hostPorts = "47801")
        void cutThenRestore(SandboxContext sandbox) throws IOException {
            sandbox.network().cut();
            try (Socket socket = new Socket("127.0.0.1", GREETING)) {
                socket.setSoTimeout(500);
                socket.getOutputStream().write("cut?\n".getBytes(StandardCharsets.UTF_8));
                assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
                sandbox.network().restore();
                socket.setSoTimeout(10_000);
                assertThat(new String(socket.getInputStream().readNBytes("hello cut?\n".length()), StandardCharsets.UTF_8))
                        .as("what waited during the cut arrives after the restore").isEqualTo("hello cut?\n");
            }
            sandbox.network().port(GREETING).latency("200ms");
            long start = System.nanoTime();
            assertThat(exchange(GREETING, "later")).isEqualTo("hello later");
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(200_000_000L);
        }

        @Test
        @Isolated(net = Net.PRIVATE, hostPorts = "47801")
        void badChangesAreRefused(SandboxContext sandbox) {
            assertThatThrownBy(() -> sandbox.network().port(5432).cut()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("port 5432 is not forwarded into this sandbox; forwarded are [47801] (hostPorts)");
            assertThatThrownBy(() -> sandbox.network().latency("fast")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("network().faults.latency = \"fast\" is not a duration");
        }

        @Test
        @Isolated(hostPorts = "47801")
        void forwardWithoutPrivateNetwork() {
        }

        /** Sends one line to {@code port} on the sandbox's loopback and returns the answer's line. */
        private static String exchange(int port, String line) throws IOException {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
                StringBuilder answer = new StringBuilder();
                for (int c; (c = socket.getInputStream().read()) >= 0 && c != '\n'; ) {
                    answer.append((char) c);
                }
                return answer.toString();
            }
        }
    }
}
