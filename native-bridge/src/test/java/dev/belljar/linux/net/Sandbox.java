package dev.belljar.linux.net;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.belljar.linux.host.Host;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@link SandboxProcess} in new user and network namespaces, as a sandbox's child JVM is:
 * {@code unshare --user --map-root-user --net}. Closing it kills it and what it started, by PID.
 */
final class Sandbox implements AutoCloseable {
    private final Process unshare;
    private final BufferedReader output;
    private final Writer input;
    private final long pid;
    private final int listenerFd;

    private Sandbox(Process unshare, List<String> command) throws IOException {
        this.unshare = unshare;
        this.output = new BufferedReader(new InputStreamReader(unshare.getInputStream(), StandardCharsets.UTF_8));
        this.input = unshare.outputWriter(StandardCharsets.UTF_8);
        String pidLine = nextLine();
        if (pidLine == null) {
            String error = new String(unshare.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            close();
            assumeTrue(false, "this host cannot run " + command + ": " + error.strip());
        }
        this.pid = Long.parseLong(pidLine.substring("pid ".length()));
        this.listenerFd = command.contains("listen") ? Integer.parseInt(nextLine().substring("fd ".length())) : -1;
    }

    /** A sandbox that only brings its loopback up. */
    static Sandbox start() throws IOException {
        return start(List.of());
    }

    /** A sandbox that also listens on its 127.0.0.1:{@code port}, for the test to take the socket. */
    static Sandbox listening(int port) throws IOException {
        return start(List.of("listen", Integer.toString(port)));
    }

    private static Sandbox start(List<String> arguments) throws IOException {
        Optional<Path> unshare = Host.findExecutable("unshare");
        assumeTrue(unshare.isPresent(), "unshare (util-linux) is not on the PATH");
        List<String> command = new ArrayList<>(List.of(unshare.get().toString(), "--user", "--map-root-user", "--net",
                "--fork", "--kill-child", "--", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SandboxProcess.class.getName()));
        command.addAll(arguments);
        return new Sandbox(new ProcessBuilder(command).start(), command);
    }

    /** The PID of the process inside (in this PID namespace). */
    long pid() {
        return pid;
    }

    /** The descriptor of the socket it listens on, in its own descriptor table. */
    int listenerFd() {
        return listenerFd;
    }

    /** Connects from inside to 127.0.0.1:{@code port}, sends a line: "reply " and the answer, or "failed " and why. */
    String exchange(int port, String text) throws IOException {
        input.write(port + " " + text + "\n");
        input.flush();
        return nextLine();
    }

    private String nextLine() throws IOException {
        for (String line; (line = output.readLine()) != null; ) {
            if (line.startsWith("> ")) {
                return line.substring(2);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        List<ProcessHandle> all = new ArrayList<>(unshare.descendants().toList());
        all.add(unshare.toHandle());
        for (ProcessHandle process : all) {
            process.destroyForcibly();
        }
        for (ProcessHandle process : all) {
            process.onExit().join();
        }
    }
}
