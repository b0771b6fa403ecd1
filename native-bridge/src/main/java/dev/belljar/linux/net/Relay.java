package dev.belljar.linux.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * Carries each connection accepted on a {@link LoopbackListener} to a target address and back,
 * with {@link Faults} that may change at any time, from any thread. Every connection has a
 * reader and a writer thread per direction, so that data keeps being read while earlier data
 * waits out its latency; all threads are daemons named {@code belljar-relay-<port>-...}.
 *
 * <pre>{@code
 * try (LoopbackListener listener = NamespaceListeners.take(sandboxPid, fd);
 *      Relay relay = Relay.start(listener, new InetSocketAddress("127.0.0.1", 5432), Faults.NONE)) {
 *     relay.updateFaults(f -> f.withLatency(Direction.DOWNSTREAM, Duration.ofMillis(100), Duration.ofMillis(20)));
 * }
 * }</pre>
 */
public final class Relay implements AutoCloseable {
    private static final long JOIN_MILLIS = 5_000;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    /**
     * What a relay has done so far.
     *
     * @param accepted        connections taken on (within the connection limit), reset ones included
     * @param refused         connections reset at once because the connection limit was reached
     * @param reset           connections the relay reset: by a reset fault, or as the target refused them
     * @param bytesUpstream   bytes written to the target
     * @param bytesDownstream bytes written to clients
     */
    public record Counters(long accepted, long refused, long reset, long bytesUpstream, long bytesDownstream) {
    }

    private final LoopbackListener listener;
    private final InetSocketAddress target;
    private final AtomicReference<Faults> faults;
    /** Notified when the faults change or a connection ends, for the writers that wait. */
    private final Object changes = new Object();
    private final Set<RelayedConnection> connections = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionNumbers = new AtomicInteger();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong reset = new AtomicLong();
    private final AtomicLong bytesUpstream = new AtomicLong();
    private final AtomicLong bytesDownstream = new AtomicLong();
    private volatile boolean closed;
    private volatile Thread acceptor;

    private Relay(LoopbackListener listener, InetSocketAddress target, Faults faults) {
        this.listener = listener;
        this.target = target;
        this.faults = new AtomicReference<>(faults);
    }

    /** Starts accepting on {@code listener}; {@link #close()} closes it. */
    public static Relay start(LoopbackListener listener, InetSocketAddress target, Faults faults) {
        Relay relay = new Relay(listener, target, faults);
        relay.acceptor = relay.startThread("accept", relay::acceptConnections);
        return relay;
    }

    /** The port it listens on, in the listener's network namespace. */
    public int port() {
        return listener.port();
    }

    public Faults faults() {
        return faults.get();
    }

    /** Applies {@code faults} from now on: to data that arrives later, and to waiting data where it can. */
    public void setFaults(Faults faults) {
        updateFaults(current -> faults);
    }

    /** Changes the faults atomically, as {@code change} makes them of the current ones; returns the new ones. */
    public Faults updateFaults(UnaryOperator<Faults> change) {
        Faults updated = faults.updateAndGet(change);
        wakeWriters();
        for (RelayedConnection connection : connections) {
            connection.resetIfDue(updated);
        }
        return updated;
    }

    public Counters counters() {
        return new Counters(accepted.get(), refused.get(), reset.get(), bytesUpstream.get(), bytesDownstream.get());
    }

    /** Stops accepting, closes every connection and waits for every thread of this relay to end. */
    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        // First the acceptor: a connection it accepted just now starts its threads before it ends, not after the join below.
        acceptor.interrupt();
        try {
            acceptor.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        for (RelayedConnection connection : connections) {
            connection.end();
        }
        wakeWriters();
        List<Thread> running = List.copyOf(threads);
        for (Thread thread : running) {
            thread.interrupt();
        }
        for (Thread thread : running) {
            try {
                thread.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void acceptConnections() {
        while (!closed) {
            SocketChannel client;
            try {
                client = listener.channel().accept();
            } catch (IOException e) {
                if (closed || !listener.channel().isOpen()) {
                    return;
                }
                continue; // an aborted handshake: the next one may be fine
            }
            Faults current = faults.get();
            if (connections.size() >= current.connectionLimit()) {
                refused.incrementAndGet();
                resetAndClose(client);
                continue;
            }
            accepted.incrementAndGet();
            if (current.resetAfterBytes() == 0) {
                reset.incrementAndGet();
                resetAndClose(client);
                continue;
            }
            connect(client);
        }
    }

    private void connect(SocketChannel client) {
        SocketChannel service = null;
        try {
            service = SocketChannel.open();
            service.socket().connect(target, CONNECT_TIMEOUT_MILLIS);
        } catch (IOException e) {
            reset.incrementAndGet();
            resetAndClose(client);
            closeQuietly(service);
            return;
        }
        RelayedConnection connection = new RelayedConnection(this, connectionNumbers.incrementAndGet(), client, service);
        connections.add(connection);
        connection.start();
    }

    Faults currentFaults() {
        return faults.get();
    }

    boolean isClosed() {
        return closed;
    }

    void counted(Direction direction, int bytes) {
        (direction == Direction.UPSTREAM ? bytesUpstream : bytesDownstream).addAndGet(bytes);
    }

    void countReset() {
        reset.incrementAndGet();
    }

    void ended(RelayedConnection connection) {
        connections.remove(connection);
        wakeWriters();
    }

    /** Waits until {@code deadlineNanos} (System.nanoTime) or until {@code connection} ends: false then. */
    boolean awaitTime(long deadlineNanos, RelayedConnection connection) throws InterruptedException {
        synchronized (changes) {
            while (!connection.hasEnded()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                TimeUnit.NANOSECONDS.timedWait(changes, left);
            }
            return false;
        }
    }

    /** Waits while the faults stall the traffic; false when {@code connection} ended meanwhile. */
    boolean awaitFlowing(RelayedConnection connection) throws InterruptedException {
        synchronized (changes) {
            while (faults.get().stalled() && !connection.hasEnded()) {
                changes.wait();
            }
            return !connection.hasEnded();
        }
    }

    Thread startThread(String name, Runnable body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } finally {
                threads.remove(Thread.currentThread());
            }
        }, "belljar-relay-" + listener.port() + "-" + name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
        return thread;
    }

    private void wakeWriters() {
        synchronized (changes) {
            changes.notifyAll();
        }
    }

    /** Closes with SO_LINGER 0: the peer gets a RST, as from a crashed or refusing service. */
    static void resetAndClose(SocketChannel channel) {
        try {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException alreadyClosed) {
            // nothing left to reset
        }
        closeQuietly(channel);
    }

    static void closeQuietly(SocketChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closing is all that is left to do
        }
    }
}
