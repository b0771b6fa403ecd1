package dev.belljar.linux.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Facts about the host that decide whether a sandbox can be built here. */
public final class Host {
    private Host() {
    }

    /** The first executable named {@code name} on {@code PATH}, then in /usr/bin, /bin, /usr/sbin, /sbin. */
    public static Optional<Path> findExecutable(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/bin:/bin:/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether {@code unshare} can create the namespaces {@code flags} ask for, tried for real with
     * {@code true} as the program: the reason (the first line unshare printed) when it cannot.
     */
    public static Optional<String> cannotUnshare(Path unshare, List<String> flags) {
        List<String> command = new ArrayList<>();
        command.add(unshare.toString());
        command.addAll(flags);
        command.add("true");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.of(String.join(" ", command) + " did not finish within 10 s");
            }
            if (process.exitValue() == 0) {
                return Optional.empty();
            }
            int newline = output.indexOf('\n');
            return Optional.of(String.join(" ", command) + " failed: " + (newline < 0 ? output : output.substring(0, newline)));
        } catch (IOException e) {
            return Optional.of(String.join(" ", command) + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(String.join(" ", command) + " was interrupted");
        }
    }

    /** The effective UID of this process, from /proc/self/status. */
    public static long effectiveUid() {
        return effectiveUid(Path.of("/proc/self/status"));
    }

    static long effectiveUid(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + status, e);
        }
        throw new IllegalStateException(status + " has no Uid: line");
    }
}
