package dev.belljar.internal.child;

import dev.belljar.internal.channel.ChannelPipes;
import dev.belljar.internal.channel.Messages;
import dev.belljar.internal.channel.WorkDir;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.file.NoSuchFileException;

/**
 * The child's end of the channel to its parent. It can let go of the connection for a checkpoint
 * and take it up again after the restore: messages sent meanwhile wait, none is lost.
 */
final class ParentChannel implements AutoCloseable, TestRunner.Sender {
    /** How often a detached child looks for the parent's pipes again. */
    private static final long RECONNECT_MILLIS = 20;

    private final WorkDir workDir;
    private ChannelPipes.Connection connection;
    private DataOutputStream out;
    private DataInputStream in;
    private boolean detached;
    private boolean closed;
    /** One question at a time: each answer belongs to the thread that asked. */
    private final Object askLock = new Object();

    private ParentChannel(WorkDir workDir, ChannelPipes.Connection connection) {
        this.workDir = workDir;
        attach(connection);
    }

    /** Connects through the pipes in {@code workDir}; waits until the parent accepted. */
    static ParentChannel connect(WorkDir workDir) throws IOException {
        return new ParentChannel(workDir, ChannelPipes.connect(workDir));
    }

    private void attach(ChannelPipes.Connection connected) {
        connection = connected;
        out = new DataOutputStream(new BufferedOutputStream(connected.output()));
        in = new DataInputStream(new BufferedInputStream(connected.input()));
    }

    /** The next message from the parent. */
    @Override
    public Object receive() throws IOException {
        DataInputStream current;
        synchronized (this) {
            current = in;
        }
        return Messages.receive(current);
    }

    /** Sends {@code message}; while detached for a checkpoint, waits until the channel is back. */
    @Override
    public synchronized void send(Object message) throws IOException {
        while (detached && !closed) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the channel was detached", e);
            }
        }
        Messages.send(out, message);
    }

    /**
     * Sends {@code message} and reads the parent's answer: a test's child asks from the test's
     * thread, after its start, when nothing else reads the channel.
     */
    @Override
    public Object ask(Object message) throws IOException {
        synchronized (askLock) {
            send(message);
            return receive();
        }
    }

    /** The parent's answer to the test's start: a test's child reads it here, where nothing else reads. */
    @Override
    public void awaitBaseline() throws IOException {
        Object answer = receive();
        if (!(answer instanceof Messages.BaselineTaken)) {
            throw new IOException("the parent answered the test's start with " + answer + ", not that it took the baseline");
        }
    }

    /**
     * Serves the parent's requests after the first one, on a daemon thread: a {@link Messages.Detach}
     * closes the connection, then the child connects again as soon as the parent listens anew.
     */
    void serveDetachRequests() {
        Thread control = new Thread(() -> {
            try {
                while (true) {
                    if (receive() instanceof Messages.Detach) {
                        detach();
                        reattach();
                    }
                }
            } catch (AsynchronousCloseException | InterruptedException orderlyEnd) {
                // the JVM exits, or the channel was closed
            } catch (IOException e) {
                // the parent is gone: the lifeline ends this JVM
            }
        }, "belljar-channel-control");
        control.setDaemon(true);
        control.start();
    }

    private synchronized void detach() throws IOException {
        detached = true;
        connection.close();
    }

    private void reattach() throws IOException, InterruptedException {
        while (true) {
            synchronized (this) {
                if (closed) {
                    throw new AsynchronousCloseException();
                }
            }
            try {
                ChannelPipes.Connection connected = ChannelPipes.connect(workDir);
                synchronized (this) {
                    attach(connected);
                    detached = false;
                    notifyAll();
                }
                return;
            } catch (NoSuchFileException notYet) {
                Thread.sleep(RECONNECT_MILLIS);
            }
        }
    }

    /** Closes the connection; a thread blocked reading from it leaves its read (and native code). */
    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
        try {
            connection.close();
        } catch (IOException ignored) {
            // closed either way
        }
    }
}
