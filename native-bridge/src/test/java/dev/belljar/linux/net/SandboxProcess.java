package dev.belljar.linux.net;

import dev.belljar.linux.libc.Syscalls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * What runs inside the kernel tests' sandbox: it brings the loopback up, listens when told to
 * (for the test JVM to take the socket), then connects where stdin says and prints the answers.
 * Every line it prints for the test starts with "> ".
 */
public final class SandboxProcess {
    private SandboxProcess() {
    }

    public static void main(String[] args) throws IOException {
        Syscalls.interfaceUp("lo");
        System.out.println("> pid " + ProcessHandle.current().pid());
        if (args.length == 2 && args[0].equals("listen")) {
            System.out.println("> fd " + Syscalls.listenOnLoopback(Integer.parseInt(args[1]), 16));
        }
        System.out.flush();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = commands.readLine()) != null; ) {
            String[] words = line.split(" ", 2);
            System.out.println("> " + exchange(Integer.parseInt(words[0]), words[1]));
            System.out.flush();
        }
    }

    /** Sends {@code text} and a newline to 127.0.0.1:{@code port}; the line that comes back, or what went wrong. */
    private static String exchange(int port, String text) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return "reply " + new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
        } catch (IOException e) {
            return "failed " + e;
        }
    }
}
