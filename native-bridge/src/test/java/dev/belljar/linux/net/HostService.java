package dev.belljar.linux.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A service on this host's 127.0.0.1 for a relay to reach: it answers each connection with {@code handler}. */
final class HostService implements AutoCloseable {
    interface Handler {
        void serve(InputStream in, OutputStream out) throws IOException;
    }

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    HostService(Handler handler) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    sockets.add(socket);
                    Thread connection = new Thread(() -> {
                        try (socket) {
                            handler.serve(socket.getInputStream(), socket.getOutputStream());
                        } catch (IOException e) {
                            // the client went away
                        }
                    }, "test-service-connection");
                    connection.setDaemon(true);
                    connection.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "test-service");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static HostService echo() throws IOException {
        return new HostService((in, out) -> in.transferTo(out));
    }

    /** Sends {@code bytes} bytes (0, 1, 2, ... modulo 256) and closes. */
    static HostService sending(int bytes) throws IOException {
        return new HostService((in, out) -> out.write(pattern(bytes)));
    }

    static byte[] pattern(int bytes) {
        byte[] data = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            data[i] = (byte) i;
        }
        return data;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
