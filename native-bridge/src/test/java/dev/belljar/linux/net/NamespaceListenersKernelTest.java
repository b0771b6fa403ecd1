package dev.belljar.linux.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.belljar.linux.host.Host;
import dev.belljar.linux.libc.NativeException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A host service reached from inside new user and network namespaces through a listener that this
 * JVM holds there; as root and as an ordinary user who owns the sandbox's user namespace.
 */
@Tag("kernel")
class NamespaceListenersKernelTest {

    @Test
    void aHostServiceIsReachableInsideThroughATakenListenerAndOnlyThatOne() throws Exception {
        try (HostService service = greeting(); HostService unforwarded = greeting();
             Sandbox sandbox = Sandbox.listening(service.port());
             Relay relay = Relay.start(NamespaceListeners.take(sandbox.pid(), sandbox.listenerFd()), service.address(),
                     Faults.NONE)) {

            assertThat(relay.port()).isEqualTo(service.port());
            assertThat(sandbox.exchange(service.port(), "hello")).isEqualTo("reply host says hello");
            assertThat(sandbox.exchange(unforwarded.port(), "hello")).startsWith("failed java.net.ConnectException");
            assertThat(relay.counters().accepted()).isEqualTo(1);
        }
    }

    @Test
    void aTakenListenerMayHoldAPortBelow1024() throws Exception {
        try (HostService service = greeting(); Sandbox sandbox = Sandbox.listening(80);
             Relay relay = Relay.start(NamespaceListeners.take(sandbox.pid(), sandbox.listenerFd()), service.address(),
                     Faults.NONE)) {

            assertThat(relay.port()).isEqualTo(80);
            assertThat(sandbox.exchange(80, "hello")).isEqualTo("reply host says hello");
        }
    }

    @Test
    void theListenerIsFoundAmongTheSandboxsProcessesByItsPort() throws Exception {
        try (HostService service = greeting(); Sandbox sandbox = Sandbox.listening(service.port());
             Relay relay = Relay.start(NamespaceListeners.takeListening(List.of(ProcessHandle.current().pid(), sandbox.pid()),
                     service.port()), service.address(), Faults.NONE)) {

            assertThat(sandbox.exchange(service.port(), "hello")).isEqualTo("reply host says hello");
        }
        try (Sandbox sandbox = Sandbox.start()) {
            assertThatThrownBy(() -> NamespaceListeners.takeListening(List.of(sandbox.pid()), 5432))
                    .isInstanceOf(IOException.class)
                    .hasMessage("no process of [" + sandbox.pid() + "] holds a socket listening on 127.0.0.1:5432");
        }
    }

    @Test
    void takingADescriptorThatIsNoListeningSocketSaysWhatIsWrong() throws Exception {
        try (Sandbox sandbox = Sandbox.start()) {
            assertThatThrownBy(() -> NamespaceListeners.take(sandbox.pid(), 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("descriptor 0 of process " + sandbox.pid()
                            + " is no listening IPv4 TCP socket: make it with Syscalls.listenOnLoopback");
        }
    }

    @Test
    void rootOpensAListenerInsideWithoutTheSandboxsHelpOnAnyPort() throws Exception {
        assumeTrue(Host.effectiveUid() == 0, "setns(CLONE_NEWNET) from a JVM thread needs root");
        try (HostService service = greeting(); Sandbox sandbox = Sandbox.start();
             Relay relay = Relay.start(NamespaceListeners.open(sandbox.pid(), 80), service.address(), Faults.NONE)) {

            assertThat(sandbox.exchange(80, "hello")).isEqualTo("reply host says hello");
            assertThat(sandbox.exchange(service.port(), "hello")).startsWith("failed java.net.ConnectException");
        }
    }

    @Test
    void anOrdinaryUserCannotOpenAListenerInsideAndIsToldWhy() throws Exception {
        assumeTrue(Host.effectiveUid() != 0, "root may enter the namespace");
        try (Sandbox sandbox = Sandbox.start()) {
            assertThatThrownBy(() -> NamespaceListeners.open(sandbox.pid(), 8080))
                    .isInstanceOf(NativeException.class)
                    .hasMessageMatching("setns\\(\\d+, CLONE_NEWNET\\) failed: EPERM \\(Operation not permitted\\)");
        }
    }

    /** Answers the first line of each connection with "host says " and that line. */
    private static HostService greeting() throws IOException {
        return new HostService((in, out) -> {
            String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            out.write(("host says " + line + "\n").getBytes(StandardCharsets.UTF_8));
        });
    }
}
