package dev.belljar.linux.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** One client's connection through a {@link Relay}, and the service connection made for it. */
final class RelayedConnection {
    private static final int CHUNK_BYTES = 16 * 1024;
    /** Chunks read ahead per direction: enough for latency not to throttle, bounded for a stall. */
    private static final int QUEUED_CHUNKS = 64;
    /** Pieces of a rate-limited write are at most this fraction of a second's worth, for a smooth rate. */
    private static final int RATE_PIECES_PER_SECOND = 20;

    private record Chunk(ByteBuffer data, long dueNanos) {
        static final Chunk END = new Chunk(null, 0);
    }

    private final Relay relay;
    private final int number;
    private final SocketChannel client;
    private final SocketChannel service;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicInteger directionsDone = new AtomicInteger();
    private final AtomicLong deliveredDownstream = new AtomicLong();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    RelayedConnection(Relay relay, int number, SocketChannel client, SocketChannel service) {
        this.relay = relay;
        this.number = number;
        this.client = client;
        this.service = service;
    }

    void start() {
        startDirection(Direction.UPSTREAM, client, service);
        startDirection(Direction.DOWNSTREAM, service, client);
    }

    boolean hasEnded() {
        return ended.get() || relay.isClosed();
    }

    /** Resets the client's connection when it has already had all {@code faults} let it have. */
    void resetIfDue(Faults faults) {
        if (deliveredDownstream.get() >= faults.resetAfterBytes()) {
            reset();
        }
    }

    /** Closes both connections normally. */
    void end() {
        if (ended.compareAndSet(false, true)) {
            Relay.closeQuietly(client);
            Relay.closeQuietly(service);
            finish();
        }
    }

    private void reset() {
        if (ended.compareAndSet(false, true)) {
            relay.countReset();
            Relay.resetAndClose(client);
            Relay.closeQuietly(service);
            finish();
        }
    }

    private void finish() {
        relay.ended(this);
        for (Thread thread : threads) {
            if (thread != Thread.currentThread()) {
                thread.interrupt();
            }
        }
    }

    private void startDirection(Direction direction, SocketChannel from, SocketChannel to) {
        BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
        String name = number + "-" + direction.name().toLowerCase();
        threads.add(relay.startThread(name + "-read", () -> endingWithTheRelay(() -> read(direction, from, queue))));
        threads.add(relay.startThread(name + "-write", () -> endingWithTheRelay(() -> write(direction, to, queue))));
        if (hasEnded()) {
            finish(); // ended before these threads were there to be interrupted
        }
    }

    /**
     * Runs a direction's loop; where it stopped because the relay closed, closes both connections.
     * The relay's close ends only the connections it knows of: one its acceptor started just then
     * would otherwise keep its client waiting for good.
     */
    private void endingWithTheRelay(Runnable direction) {
        try {
            direction.run();
        } finally {
            if (relay.isClosed()) {
                end();
            }
        }
    }

    private void read(Direction direction, SocketChannel from, BlockingQueue<Chunk> queue) {
        try {
            while (!hasEnded()) {
                ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES);
                if (from.read(buffer) < 0) {
                    queue.put(Chunk.END);
                    return;
                }
                buffer.flip();
                queue.put(new Chunk(buffer, System.nanoTime() + delayNanos(relay.currentFaults(), direction)));
            }
        } catch (IOException | InterruptedException e) {
            end();
        }
    }

    private static long delayNanos(Faults faults, Direction direction) {
        long latency = faults.latency(direction).toNanos();
        long jitter = faults.jitter(direction).toNanos();
        return jitter == 0 ? latency : latency + ThreadLocalRandom.current().nextLong(-jitter, jitter + 1);
    }

    private void write(Direction direction, SocketChannel to, BlockingQueue<Chunk> queue) {
        long rateSlotEnd = 0;
        try {
            while (!hasEnded()) {
                Chunk chunk = queue.take();
                if (chunk == Chunk.END) {
                    to.shutdownOutput();
                    if (directionsDone.incrementAndGet() == 2) {
                        end();
                    }
                    return;
                }
                if (!relay.awaitTime(chunk.dueNanos(), this)) {
                    return;
                }
                ByteBuffer data = chunk.data();
                while (data.hasRemaining()) {
                    if (!relay.awaitFlowing(this)) {
                        return;
                    }
                    Faults faults = relay.currentFaults();
                    int size = Math.min(data.remaining(), faults.sliceBytes());
                    if (faults.bytesPerSecond() != Long.MAX_VALUE) {
                        size = (int) Math.min(size, Math.max(1, faults.bytesPerSecond() / RATE_PIECES_PER_SECOND));
                        // The piece goes at the end of its share of time, so X bytes take at least X/rate.
                        rateSlotEnd = Math.max(rateSlotEnd, System.nanoTime()) + size * 1_000_000_000L / faults.bytesPerSecond();
                        if (!relay.awaitTime(rateSlotEnd, this)) {
                            return;
                        }
                    }
                    if (direction == Direction.DOWNSTREAM) {
                        long allowed = faults.resetAfterBytes() - deliveredDownstream.get();
                        if (allowed <= 0) {
                            reset();
                            return;
                        }
                        size = (int) Math.min(size, allowed);
                    }
                    ByteBuffer piece = data.slice(data.position(), size);
                    while (piece.hasRemaining()) {
                        to.write(piece);
                    }
                    data.position(data.position() + size);
                    relay.counted(direction, size);
                    if (direction == Direction.DOWNSTREAM) {
                        deliveredDownstream.addAndGet(size);
                        resetIfDue(relay.currentFaults());
                    }
                    if (data.hasRemaining() && size == faults.sliceBytes() && !faults.sliceDelay().isZero()
                            && !relay.awaitTime(System.nanoTime() + faults.sliceDelay().toNanos(), this)) {
                        return;
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            end();
        }
    }
}
