package dev.belljar.linux.host;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Facts about the host that decide whether a sandbox can be built here. */
public final class Host {
    /** What lets a non-root user make user namespaces where the host restricts them. */
    public static final String UNPRIVILEGED_USERNS_FIX = "allow unprivileged user namespaces: sysctl -w"
            + " user.max_user_namespaces=15000 (if 0), sysctl -w kernel.unprivileged_userns_clone=1 (Debian kernels"
            + " before 5.10), or where AppArmor restricts them (kernel.apparmor_restrict_unprivileged_userns = 1,"
            + " Ubuntu 23.10+) sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 or an AppArmor profile that"
            + " allows 'userns,' for the JDK's java (Belljar's setup prints one)";

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

    /** What a short command did: its exit status (-1 when it could not run or did not finish) and its output. */
    public record CommandResult(int status, String output) {
        /** The first line of the output, trimmed. */
        public String firstLine() {
            String text = output.strip();
            int newline = text.indexOf('\n');
            return newline < 0 ? text : text.substring(0, newline);
        }
    }

    /** Runs {@code command} with stdin from /dev/null, stdout and stderr together, for up to {@code timeoutSeconds}. */
    public static CommandResult run(List<String> command, long timeoutSeconds) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            // The output goes to a reader thread: a command that hangs must not block past the timeout.
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "";
                }
            });
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                return new CommandResult(-1, String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
            }
            return new CommandResult(process.exitValue(), output.join());
        } catch (IOException e) {
            return new CommandResult(-1, String.join(" ", command) + " could not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CommandResult(-1, String.join(" ", command) + " was interrupted");
        }
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
        CommandResult result = run(command, 10);
        return result.status() == 0 ? Optional.empty()
                : Optional.of(String.join(" ", command) + " failed: " + result.firstLine());
    }

    /**
     * A file's inode, size and modification time: another build of a binary or a jar has another,
     * where its path stays the same.
     */
    public static String identityOf(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return attributes.fileKey() + " " + attributes.size() + " " + attributes.lastModifiedTime().toMillis();
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
