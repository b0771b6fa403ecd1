package dev.belljar.internal.channel;

import dev.belljar.linux.libc.NativeException;
import dev.belljar.linux.libc.Syscalls;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The channel between the parent and a child: two named pipes in the sandbox's work dir, one
 * each way. The child opens them with the file classes its JVM has loaded at start anyway. A
 * Unix-domain socket cost every child a sizeable share of its CPU for its first socket alone (the JDK
 * seeds a SecureRandom for socket names, which sets up the security providers).
 *
 * <p>Both sides open the pipe from the child first, then the one to it. Each open waits for the
 * other side's, so the parent's {@link #accept} and the child's {@link #connect} meet like a
 * socket's accept and connect. EOF on either pipe means the other side is gone.
 */
public final class ChannelPipes implements AutoCloseable {
    private final Path fromChild;
    private final Path toChild;
    private volatile boolean closed;

    private ChannelPipes(WorkDir dir) {
        this.fromChild = dir.fromChildPipe();
        this.toChild = dir.toChildPipe();
    }

    /** Makes the pipes in {@code dir}, open to the owner only, or to anyone for a child that runs as nobody. */
    public static ChannelPipes make(WorkDir dir, boolean openToAnyone) throws IOException {
        ChannelPipes pipes = new ChannelPipes(dir);
        for (Path pipe : new Path[] {pipes.fromChild, pipes.toChild}) {
            try {
                Syscalls.makeFifo(pipe.toString(), 0600);
            } catch (NativeException e) {
                throw new IOException(e.getMessage(), e);
            }
            if (openToAnyone) {
                Files.setPosixFilePermissions(pipe, PosixFilePermissions.fromString("rw-rw-rw-"));
            }
        }
        return pipes;
    }

    /** The parent's side: waits until the child opened both pipes. After {@link #close} it throws instead. */
    public Connection accept() throws IOException {
        FileChannel in = FileChannel.open(fromChild, StandardOpenOption.READ);
        FileChannel out;
        try {
            out = FileChannel.open(toChild, StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        Connection connection = new Connection(in, out);
        if (closed) {
            connection.close();
            throw new AsynchronousCloseException();
        }
        return connection;
    }

    /** The child's side: waits until the parent accepted. Throws NoSuchFileException while there are no pipes. */
    public static Connection connect(WorkDir dir) throws IOException {
        FileChannel out = FileChannel.open(dir.fromChildPipe(), StandardOpenOption.WRITE);
        try {
            return new Connection(FileChannel.open(dir.toChildPipe(), StandardOpenOption.READ), out);
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /**
     * Removes the pipes, so that no child can open them any more, and ends a waiting
     * {@link #accept}. A connection made before goes on.
     */
    @Override
    public void close() {
        closed = true;
        // Opened for reading and writing, a pipe never waits (Linux): an open waiting for its other
        // side returns. Held until the pipes are gone, so that no later open can wait either.
        try (FileChannel wakeFrom = openBothWays(fromChild); FileChannel wakeTo = openBothWays(toChild)) {
            Files.deleteIfExists(fromChild);
            Files.deleteIfExists(toChild);
        } catch (IOException e) {
            // removed with the work dir
        }
    }

    private static FileChannel openBothWays(Path pipe) throws IOException {
        return Files.exists(pipe) ? FileChannel.open(pipe, StandardOpenOption.READ, StandardOpenOption.WRITE) : null;
    }

    /**
     * One connection: a pipe to read and one to write, each a channel of its own, so that a thread
     * blocked reading holds up no writer. Closing it ends a read blocked in another thread.
     */
    public record Connection(FileChannel in, FileChannel out) implements Closeable {
        public InputStream input() {
            return Channels.newInputStream(in);
        }

        public OutputStream output() {
            return Channels.newOutputStream(out);
        }

        @Override
        public void close() throws IOException {
            try {
                in.close();
            } finally {
                out.close();
            }
        }
    }
}
