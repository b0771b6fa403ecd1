package dev.belljar.linux.net;

import dev.belljar.linux.libc.NativeException;
import dev.belljar.linux.libc.Syscalls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Listening sockets on 127.0.0.1 of a sandbox's network namespace, held by this JVM as ordinary
 * {@link ServerSocketChannel}s: what is accepted on them is a plain {@code SocketChannel}.
 *
 * <p>A socket belongs for good to the network namespace it was created in, whichever process holds
 * it later. Two ways to get one:
 * <ul>
 * <li>{@link #open}: a thread of this JVM enters the namespace, creates it and dies. setns(2) wants
 * CAP_SYS_ADMIN in the caller's own user namespace too, so only root can.</li>
 * <li>{@link #take}: a process inside creates it ({@link Syscalls#listenOnLoopback}) and this JVM
 * copies its descriptor with pidfd_getfd(2). That needs only ptrace access, which the owner of the
 * sandbox's user namespace has: the rootless way. (Joining the user namespace first is no way out:
 * a multithreaded process may not.)</li>
 * </ul>
 */
public final class NamespaceListeners {
    private static final int BACKLOG = 128;
    /** TCP_LISTEN as /proc/net/tcp writes a socket's state. */
    private static final String TCP_LISTEN = "0A";

    private NamespaceListeners() {
    }

    /**
     * Listens on 127.0.0.1:{@code port} in the network namespace of process {@code pid}, which
     * must have its loopback up. Needs CAP_SYS_ADMIN in this JVM's user namespace: root.
     */
    public static LoopbackListener open(long pid, int port) throws IOException {
        int namespace = Syscalls.openReadOnly("/proc/" + pid + "/ns/net");
        try {
            FutureTask<ServerSocketChannel> creation = new FutureTask<>(() -> {
                Syscalls.enterNetworkNamespace(namespace);
                ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.INET);
                try {
                    channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), BACKLOG);
                    return channel;
                } catch (IOException e) {
                    channel.close();
                    throw new IOException("cannot listen on 127.0.0.1:" + port + " in the network namespace of process "
                            + pid + ": " + e.getMessage(), e);
                }
            });
            // The thread stays in the sandbox's namespace until it ends, so it ends right after.
            Thread thread = new Thread(creation, "belljar-netns-" + pid);
            thread.setDaemon(true);
            thread.start();
            return new LoopbackListener(creation.get(), port);
        } catch (ExecutionException e) {
            throw rethrown(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while listening in the network namespace of process " + pid, e);
        } finally {
            Syscalls.close(namespace);
        }
    }

    /**
     * Takes the listening socket that process {@code pid} holds as descriptor {@code fd}: this JVM
     * gets its own copy (the process may close its one afterwards). Needs ptrace access to the
     * process: the same user, or the owner of its user namespace; Linux 5.6 or later.
     */
    public static LoopbackListener take(long pid, int fd) throws IOException {
        int pidfd = Syscalls.pidfdOpen(pid);
        int copy;
        try {
            copy = Syscalls.takeDescriptor(pidfd, fd);
        } finally {
            Syscalls.close(pidfd);
        }
        try {
            InetSocketAddress address = Syscalls.isListening(copy) ? Syscalls.boundAddress(copy) : null;
            if (address == null) {
                throw new IllegalArgumentException("descriptor " + fd + " of process " + pid
                        + " is no listening IPv4 TCP socket: make it with Syscalls.listenOnLoopback");
            }
            return new LoopbackListener(adopt(copy), address.getPort());
        } catch (IOException | RuntimeException e) {
            Syscalls.close(copy);
            throw e;
        }
    }

    /**
     * Takes the socket listening on 127.0.0.1:{@code port} that one of {@code pids} holds, in their
     * network namespace: found in {@code /proc/PID/net/tcp} by its port, then among the process's
     * descriptors by its inode, and taken as {@link #take} does.
     *
     * @throws IOException naming the port where none of the processes holds such a socket
     */
    public static LoopbackListener takeListening(Collection<Long> pids, int port) throws IOException {
        for (long pid : pids) {
            OptionalLong inode;
            try {
                inode = listeningInode(Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", "tcp")), port);
            } catch (NoSuchFileException gone) {
                continue;
            }
            if (inode.isPresent()) {
                OptionalInt fd = descriptorOf(pid, "socket:[" + inode.getAsLong() + "]");
                if (fd.isPresent()) {
                    return take(pid, fd.getAsInt());
                }
            }
        }
        throw new IOException("no process of " + pids + " holds a socket listening on 127.0.0.1:" + port);
    }

    /** The inode of the socket that {@code tcp} (the lines of /proc/net/tcp) lists as listening on 127.0.0.1:{@code port}. */
    static OptionalLong listeningInode(List<String> tcp, int port) {
        String local = String.format("0100007F:%04X", port);
        for (String line : tcp.subList(Math.min(1, tcp.size()), tcp.size())) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length > 9 && fields[1].equals(local) && fields[3].equals(TCP_LISTEN)) {
                return OptionalLong.of(Long.parseLong(fields[9]));
            }
        }
        return OptionalLong.empty();
    }

    private static OptionalInt descriptorOf(long pid, String link) throws IOException {
        try (Stream<Path> descriptors = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path descriptor : descriptors.toList()) {
                try {
                    if (Files.readSymbolicLink(descriptor).toString().equals(link)) {
                        return OptionalInt.of(Integer.parseInt(descriptor.getFileName().toString()));
                    }
                } catch (NoSuchFileException closedMeanwhile) {
                    // not this one
                }
            }
        } catch (NoSuchFileException gone) {
            // the process ended
        }
        return OptionalInt.empty();
    }

    /**
     * A ServerSocketChannel over the listening socket {@code fd}, which it then owns. Java makes
     * channels only of sockets it creates, so it creates a stand-in, bound where nothing else
     * listens (a random address of 127/8 and a free port), finds the stand-in's descriptor by that
     * address, and points the descriptor at {@code fd}'s socket: the stand-in closes, and the
     * channel accepts from {@code fd}'s socket from then on.
     */
    private static ServerSocketChannel adopt(int fd) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.INET);
        try {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            byte[] standIn = {127, (byte) random.nextInt(1, 255), (byte) random.nextInt(256), (byte) random.nextInt(1, 255)};
            channel.bind(new InetSocketAddress(InetAddress.getByAddress(standIn), 0), 1);
            int channelFd = descriptorListeningOn((InetSocketAddress) channel.getLocalAddress());
            Syscalls.duplicateOnto(fd, channelFd);
            Syscalls.close(fd);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static int descriptorListeningOn(InetSocketAddress address) throws IOException {
        List<Integer> matches;
        try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            matches = descriptors.map(path -> Integer.parseInt(path.getFileName().toString()))
                    .filter(fd -> isListeningOn(fd, address)).toList();
        }
        if (matches.size() != 1) {
            throw new IllegalStateException("expected one descriptor listening on " + address + " in /proc/self/fd, found "
                    + matches);
        }
        return matches.get(0);
    }

    private static boolean isListeningOn(int fd, InetSocketAddress address) {
        try {
            return Syscalls.isListening(fd) && address.equals(Syscalls.boundAddress(fd));
        } catch (NativeException notASocketOrClosedMeanwhile) {
            return false;
        }
    }

    private static IOException rethrown(Throwable cause) {
        if (cause instanceof IOException io) {
            return io;
        }
        if (cause instanceof RuntimeException runtime) {
            throw runtime;
        }
        throw new IllegalStateException(cause);
    }
}
