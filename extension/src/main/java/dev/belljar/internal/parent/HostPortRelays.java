package dev.belljar.internal.parent;

import dev.belljar.SandboxResult;
import dev.belljar.internal.channel.Messages;
import dev.belljar.linux.net.Direction;
import dev.belljar.linux.net.Faults;
import dev.belljar.linux.net.NamespaceListeners;
import dev.belljar.linux.net.Relay;
import dev.belljar.spec.PortFaults;
import dev.belljar.spec.PortForward;
import dev.belljar.spec.SpecException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The relays of one sandbox's forwarded host ports ({@code hostPorts}), in the test JVM: each
 * accepts on the socket the child listens on inside (taken from it, see
 * {@link dev.belljar.internal.child.SetupStep}) and carries every connection to the host's
 * {@code 127.0.0.1:hostPort}, with the declared faults, which the test may change while it runs.
 * They go with the sandbox.
 */
final class HostPortRelays implements AutoCloseable {
    /** By the port inside. */
    private final Map<Integer, PortForward> forwards;
    /** The faults in force, by the port inside: the declared ones, as the test changed them. */
    private final Map<Integer, PortFaults> faults = new TreeMap<>();
    private final Map<Integer, Boolean> cut = new TreeMap<>();
    private final Map<Integer, Relay> relays = new TreeMap<>();
    private boolean closed;

    HostPortRelays(Map<Integer, PortForward> forwards) {
        this.forwards = Map.copyOf(forwards);
        forwards.forEach((port, forward) -> {
            faults.put(port, forward.faults());
            cut.put(port, false);
        });
    }

    boolean isEmpty() {
        return forwards.isEmpty();
    }

    /**
     * Takes each forwarded port's listening socket from the sandbox's processes and starts its
     * relay with the faults in force now.
     *
     * @throws UncheckedIOException naming the port whose socket could not be taken
     */
    synchronized void start(Collection<Long> sandboxPids) {
        for (PortForward forward : forwards.values()) {
            if (closed) {
                return;
            }
            try {
                relays.put(forward.sandboxPort(), Relay.start(NamespaceListeners.takeListening(sandboxPids, forward.sandboxPort()),
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), forward.hostPort()),
                        relayFaults(forward.sandboxPort())));
            } catch (IOException | RuntimeException e) {
                throw new UncheckedIOException("cannot forward the host's port " + forward.hostPort() + " to port "
                        + forward.sandboxPort() + " inside the sandbox: " + e.getMessage(),
                        e instanceof IOException io ? io : new IOException(e));
            }
        }
    }

    /**
     * Applies a test's change ({@link Messages.ChangeNetwork}) to one forwarded port or to all.
     *
     * @return why it cannot be applied, or empty once it is in force
     */
    synchronized Optional<String> change(Messages.ChangeNetwork change) {
        List<Integer> ports = new ArrayList<>(change.port() == 0 ? forwards.keySet() : List.of(change.port()));
        if (!forwards.keySet().containsAll(ports)) {
            return Optional.of("port " + change.port() + " is not forwarded into this sandbox; forwarded are "
                    + forwards.keySet() + " (hostPorts)");
        }
        for (int port : ports) {
            PortFaults before = faults.get(port);
            switch (change.change()) {
                case Messages.ChangeNetwork.CUT -> cut.put(port, true);
                case Messages.ChangeNetwork.RESTORE -> {
                    cut.put(port, false);
                    faults.put(port, forwards.get(port).faults());
                }
                default -> {
                    try {
                        PortFaults changed = before.with(PortFaults.parse(change.change(), "network().faults"));
                        faults.put(port, changed);
                    } catch (SpecException e) {
                        return Optional.of(e.getMessage());
                    }
                }
            }
            Relay relay = relays.get(port);
            if (relay != null) {
                relay.setFaults(relayFaults(port));
            }
        }
        return Optional.empty();
    }

    /** What each relay carried, by the port inside; zero for a port whose relay never started. */
    synchronized Map<Integer, SandboxResult.PortTraffic> traffic() {
        Map<Integer, SandboxResult.PortTraffic> traffic = new TreeMap<>();
        forwards.forEach((port, forward) -> {
            Relay relay = relays.get(port);
            Relay.Counters counters = relay == null ? new Relay.Counters(0, 0, 0, 0, 0) : relay.counters();
            traffic.put(port, new SandboxResult.PortTraffic(forward.hostPort(), port, counters.accepted(),
                    counters.refused(), counters.reset(), counters.bytesUpstream(), counters.bytesDownstream()));
        });
        return traffic;
    }

    /** The relay's faults for what is in force on {@code port}: a jitter above a changed latency is cut to it. */
    private Faults relayFaults(int port) {
        PortFaults declared = faults.get(port);
        Duration jitter = declared.jitter() == null ? Duration.ZERO : declared.jitter();
        Faults relay = Faults.NONE.withStall(cut.get(port) || Boolean.TRUE.equals(declared.stall()));
        if (declared.latency() != null) {
            relay = relay.withLatency(Direction.DOWNSTREAM, declared.latency(), min(jitter, declared.latency()));
        }
        if (declared.upstreamLatency() != null) {
            relay = relay.withLatency(Direction.UPSTREAM, declared.upstreamLatency(), min(jitter, declared.upstreamLatency()));
        }
        if (declared.bandwidth() != null) {
            relay = relay.withBandwidth(declared.bandwidth());
        }
        if (declared.resetAfter() != null) {
            relay = relay.withResetAfter(declared.resetAfter());
        }
        if (declared.slice() != null || declared.sliceDelay() != null) {
            relay = relay.withSlicing(declared.slice() == null ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE, declared.slice()),
                    declared.sliceDelay() == null ? Duration.ZERO : declared.sliceDelay());
        }
        if (declared.connections() != null) {
            relay = relay.withConnectionLimit(declared.connections());
        }
        return relay;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Stops every relay and closes its connections; the traffic stays readable. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Relay relay : relays.values()) {
            try {
                relay.close();
            } catch (IOException e) {
                // the sandbox is going: what is left of its connections goes with it
            }
        }
    }
}
