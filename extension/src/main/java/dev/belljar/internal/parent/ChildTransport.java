package dev.belljar.internal.parent;

import dev.belljar.internal.channel.ChannelPipes;
import dev.belljar.internal.channel.Messages;
import dev.belljar.internal.channel.WorkDir;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The parent's end of the channel to one child, on a thread of its own: it makes the pipes in the
 * child's work dir, accepts the child, sends it its request once there is one, and hands every
 * message the child sends to a listener, in order; what the listener answers goes back to the
 * child. For a checkpoint it lets the child go and, after the restore, accepts it again on new
 * pipes.
 */
public final class ChildTransport implements AutoCloseable {
    private final WorkDir workDir;
    private final boolean openToAnyone;
    private final Function<Object, Object> listener;
    private final CompletableFuture<Messages.Request> request = new CompletableFuture<>();
    private final Thread thread;
    private ChannelPipes pipes;
    private DataOutputStream out;
    /** Set while a checkpoint is in progress: the transport waits for the next pipes instead of ending. */
    private boolean detaching;
    private boolean connected;
    /** The child reached the parent once: it may still wait for its request. */
    private boolean accepted;

    private ChildTransport(WorkDir workDir, boolean openToAnyone, Function<Object, Object> listener, ChannelPipes pipes,
                           String name) {
        this.workDir = workDir;
        this.openToAnyone = openToAnyone;
        this.listener = listener;
        this.pipes = pipes;
        this.thread = new Thread(this::serve, name);
        thread.setDaemon(true);
    }

    /**
     * Makes the pipes in {@code workDir} (open to anyone for a child that runs as another user) and
     * starts serving them; {@code listener} receives the child's messages on the transport's thread
     * and returns the answer to send back, or {@code null} for none.
     */
    public static ChildTransport start(WorkDir workDir, boolean openToAnyone, Function<Object, Object> listener,
                                       String name)
            throws IOException {
        ChildTransport transport = new ChildTransport(workDir, openToAnyone, listener,
                ChannelPipes.make(workDir, openToAnyone), name);
        transport.thread.start();
        return transport;
    }

    /** The child's test or task: sent as soon as the child connected, or now if it already has. */
    public void submit(Messages.Request next) {
        request.complete(next);
    }

    /** The next test of a connected child that runs one test after another (its previous one ended). */
    void send(Messages.Request next) {
        synchronized (this) {
            if (out == null) {
                throw new IllegalStateException("the child is not connected: it ended");
            }
        }
        answer(next);
    }

    /** Whether the child got (or will get, once connected) its request. */
    boolean hasRequest() {
        return request.isDone();
    }

    private void serve() {
        boolean first = true;
        ChannelPipes current = currentPipes();
        while (current != null) {
            try (ChannelPipes.Connection connection = current.accept()) {
                DataOutputStream toChild = new DataOutputStream(new BufferedOutputStream(connection.output()));
                synchronized (this) {
                    accepted = true;
                    notifyAll();
                }
                if (first) {
                    Messages.send(toChild, request.get());
                    first = false;
                }
                synchronized (this) {
                    out = toChild;
                    connected = true;
                    notifyAll();
                }
                DataInputStream in = new DataInputStream(new BufferedInputStream(connection.input()));
                while (true) {
                    Object answer = listener.apply(Messages.receive(in));
                    if (answer != null) {
                        answer(answer);
                    }
                }
            } catch (IOException | RuntimeException | ExecutionException e) {
                // EOF or closed pipes: the child is gone, or let go for a checkpoint
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            current = nextPipes();
        }
    }

    private synchronized void answer(Object message) {
        try {
            Messages.send(out, message);
        } catch (IOException e) {
            // The child let go of the channel (a checkpoint) or is gone: a task's child waits for no answer.
        }
    }

    private synchronized ChannelPipes currentPipes() {
        return pipes;
    }

    /** After the connection ended: the pipes of the restore while a checkpoint is in progress, else none. */
    private synchronized ChannelPipes nextPipes() {
        connected = false;
        out = null;
        notifyAll();
        while (detaching && pipes == null) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        ChannelPipes next = detaching ? pipes : null;
        detaching = false;
        return next;
    }

    /**
     * Has the child let go of its channel and makes sure it cannot connect again until
     * {@link #reattach}: messages it sends meanwhile wait in the child.
     */
    synchronized void detach() throws IOException {
        if (!connected) {
            throw new IOException("the child is not connected");
        }
        // Unreachable first: the child starts to reconnect the moment it let go.
        pipes.close();
        detaching = true;
        pipes = null;
        Messages.send(out, new Messages.Detach());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (connected) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException("the child did not let go of its channel within 30 s");
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the child let go of its channel", e);
            }
        }
    }

    /**
     * Makes the pipes for a detached child again; it connects within its reconnect interval. Where
     * the child was never let go (the detach failed before), its pipes are still there.
     */
    synchronized void reattach() throws IOException {
        if (pipes == null) {
            pipes = ChannelPipes.make(workDir, openToAnyone);
            notifyAll();
        }
    }

    /** Waits until the child is connected (again), or {@code child} ended first (e.g. a restore failed). */
    synchronized boolean awaitConnected(Process child, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!connected && child.isAlive() && System.currentTimeMillis() < deadline) {
            wait(50);
        }
        return connected;
    }

    /**
     * Waits until the child reached the parent, which it does before it waits for its request,
     * or {@code child} ended first (e.g. a restore failed).
     */
    synchronized boolean awaitAccepted(Process child, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!accepted && child.isAlive() && System.currentTimeMillis() < deadline) {
            wait(50);
        }
        return accepted;
    }

    /** Waits up to {@code millis} for the child's last messages to be delivered. */
    void awaitEnd(long millis) throws InterruptedException {
        closePipes();
        thread.join(millis);
    }

    private synchronized void closePipes() {
        if (pipes != null) {
            pipes.close();
        }
    }

    /**
     * Removes the pipes: a transport that still waits for the child, or for a restore, ends; a
     * connection made before goes on until the child is gone.
     */
    @Override
    public synchronized void close() {
        request.cancel(false);
        closePipes();
        detaching = false;
        notifyAll();
    }
}
