package dev.belljar.samples;

import com.sun.net.httpserver.HttpServer;
import dev.belljar.BelljarExtension;
import dev.belljar.Isolated;
import dev.belljar.Net;
import dev.belljar.Sandbox;
import dev.belljar.SandboxContext;
import dev.belljar.SandboxResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;

import static dev.belljar.assertj.BelljarAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An HTTP client under bad network conditions: the service runs in the test JVM on the host's
 * loopback, the client in a sandbox with a private network, which reaches the service only through
 * the forwarded port and its faults. Each sample asserts what the fault guarantees (a read that
 * times out, a delay of at least the latency), never the speed of the machine.
 */
@ExtendWith(BelljarExtension.class)
class NetworkFaultSamples {
    static final int SERVICE = 48080;
    static final int DOWNLOAD_BYTES = 512 << 10;

    private static HttpServer service;

    // tag::service[]
    @BeforeAll
    static void startService() throws IOException {
        if (SandboxContext.insideSandbox()) {
            return; // the class is set up again in each test's sandbox: the service runs on the host alone
        }
        service = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), SERVICE), 50);
        service.createContext("/greeting", exchange -> {
            byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        service.createContext("/download", exchange -> {
            exchange.sendResponseHeaders(200, DOWNLOAD_BYTES);
            exchange.getResponseBody().write(new byte[DOWNLOAD_BYTES]);
            exchange.close();
        });
        service.start();
    }
    // end::service[]

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.stop(0);
        }
    }

    // tag::stall[]
    @Test
    @Isolated(net = Net.PRIVATE, hostPorts = "48080 stall=true")
    void clientTimesOutWhenTheServiceStalls() {
        assertThatThrownBy(() -> get("/greeting", 500)).isInstanceOf(SocketTimeoutException.class);
    }
    // end::stall[]

    // tag::latency[]
    @Test
    @Isolated(net = Net.PRIVATE, hostPorts = "48080 latency=200ms")
    void oneRequestTakesAtLeastTheDeclaredLatency() throws IOException {
        long start = System.nanoTime();
        assertThat(get("/greeting", 10_000)).isEqualTo("hello");
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(200_000_000L);
    }
    // end::latency[]

    // tag::bandwidth[]
    @Test
    @Isolated(net = Net.PRIVATE, hostPorts = "48080 bandwidth=256K")
    void downloadFinishesUnderTheBandwidthCap() throws IOException {
        long start = System.nanoTime();
        assertThat(get("/download", 10_000)).hasSize(DOWNLOAD_BYTES);
        // 512 KiB at 256 KiB/s: two seconds, less what the relay lets through before it first waits.
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(1_500_000_000L);
    }
    // end::bandwidth[]

    // tag::cut[]
    @Test
    @Isolated(net = Net.PRIVATE, hostPorts = "48080")
    void theTestChoosesWhenTheServiceGoesAway(SandboxContext sandbox) throws IOException {
        assertThat(get("/greeting", 10_000)).isEqualTo("hello");
        sandbox.network().cut();
        assertThatThrownBy(() -> get("/greeting", 500)).isInstanceOf(SocketTimeoutException.class);
        sandbox.network().restore();
        assertThat(get("/greeting", 10_000)).isEqualTo("hello");
    }
    // end::cut[]

    // tag::reset[]
    @Test
    void clientRetriesAfterEachReset(Sandbox sandbox) {
        SandboxResult result = sandbox.with(spec -> spec.net(Net.PRIVATE).hostPort("48080 resetAfter=0"))
                .run(() -> assertThatThrownBy(() -> getWithRetries("/greeting", 3)).isInstanceOf(IOException.class));

        assertThat(result).succeeded().port(SERVICE).connectionsAtLeast(3).resetsAtLeast(3);
    }
    // end::reset[]

    // tag::pool[]
    @Test
    void keepAliveReusesOneConnection(Sandbox sandbox) {
        SandboxResult result = sandbox.with(spec -> spec.net(Net.PRIVATE).hostPort("48080")).run(() -> {
            for (int i = 0; i < 10; i++) {
                assertThat(get("/greeting", 10_000)).isEqualTo("hello");
            }
        });

        assertThat(result).succeeded().port(SERVICE).connectionsAtMost(1);
    }
    // end::pool[]

    /** The client under test: a GET whose read gives up after {@code readTimeoutMillis}. */
    static String get(String path, int readTimeoutMillis) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) new URL("http://127.0.0.1:" + SERVICE + path).openConnection();
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(readTimeoutMillis);
        try (InputStream body = connection.getInputStream()) {
            return new String(body.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** The client under test, which tries {@code attempts} times before it gives up with the last failure. */
    static String getWithRetries(String path, int attempts) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < attempts; attempt++) {
            try {
                return get(path, 10_000);
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }
}
