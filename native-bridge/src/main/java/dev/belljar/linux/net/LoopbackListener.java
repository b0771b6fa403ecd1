package dev.belljar.linux.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

/**
 * A TCP socket listening on 127.0.0.1:{@code port}, possibly in another network namespace than
 * this thread's. {@code port} is where it listens: a channel taken from a sandbox
 * ({@link NamespaceListeners#take}) reports a stand-in's address from {@code getLocalAddress()}.
 */
public record LoopbackListener(ServerSocketChannel channel, int port) implements AutoCloseable {

    /** Listens on 127.0.0.1:{@code port} of this host's own network namespace (0: any free port). */
    public static LoopbackListener onThisHost(int port) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return new LoopbackListener(channel, ((InetSocketAddress) channel.getLocalAddress()).getPort());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
