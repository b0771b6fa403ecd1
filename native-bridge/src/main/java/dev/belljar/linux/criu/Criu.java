package dev.belljar.linux.criu;

import dev.belljar.linux.host.Host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Checkpoint and restore of a sandbox's process tree with CRIU ({@code apt-get install criu}).
 * The tree's root must be the init of its own PID namespace and a session leader; its mounts are
 * the host's, treated as external; its stdin is a pipe that the restore hands over to a new one.
 * The restore runs where it is started, cgroups untouched: the caller starts it in the sandbox's.
 */
public final class Criu {
    private static final long DUMP_TIMEOUT_SECONDS = 300;
    private static final int ERROR_LINES_SHOWN = 6;

    private final Path criu;

    private Criu(Path criu) {
        this.criu = criu;
    }

    /** CRIU when it is installed and {@code criu check} passes on this kernel; otherwise why not, with the fix. */
    public static Availability probe() {
        Optional<Path> criu = Host.findExecutable("criu");
        if (criu.isEmpty()) {
            return new Availability(null, "CRIU is not installed (apt-get install criu)");
        }
        Host.CommandResult check = Host.run(List.of(criu.get().toString(), "check"), 60);
        if (check.status() != 0) {
            String errors = firstErrors(check.output());
            return new Availability(null, "'criu check' fails on this kernel (" + System.getProperty("os.version")
                    + "): " + (errors.isEmpty() ? check.output().strip() : errors)
                    + (errors.contains("vdso") ? "; CRIU before 4.1 cannot handle the vDSO of Linux 6.13 and later"
                    + " (install CRIU 4.1 or later)" : ""));
        }
        return new Availability(new Criu(criu.get()), null);
    }

    /** The outcome of {@link #probe}: CRIU, or the reason there is none. */
    public record Availability(Criu criu, String unavailable) {
        public Optional<Criu> usable() {
            return Optional.ofNullable(criu);
        }
    }

    /**
     * Dumps the tree rooted at {@code rootPid} into {@code images} and leaves it stopped: the
     * caller kills it. The log is {@code images/dump.log}.
     */
    public void dump(long rootPid, Path images) throws CheckpointFailedException {
        Host.CommandResult dump = Host.run(List.of(criu.toString(), "dump", "--tree", Long.toString(rootPid), "--images-dir", images.toString(),
                "--log-file", "dump.log", "--external", "mnt[]", "--leave-stopped"), DUMP_TIMEOUT_SECONDS);
        if (dump.status() != 0) {
            throw new CheckpointFailedException("criu dump of process " + rootPid + " failed (exit status " + dump.status()
                    + "): " + errorsOf(images.resolve("dump.log"), dump.output()) + " (log: " + images.resolve("dump.log") + ")");
        }
    }

    /**
     * The command that restores the tree in {@code images}; it stays in the foreground while the
     * tree runs. Its own stdin replaces the tree's stdin pipe {@code stdinPipe} ({@code pipe:[inode]}).
     */
    public List<String> restoreCommand(Path images, String stdinPipe) {
        return List.of(criu.toString(), "restore", "--images-dir", images.toString(), "--log-file", "restore.log",
                "--external", "mnt[]", "--root", "/", "--manage-cgroups=ignore", "--inherit-fd", "fd[0]:" + stdinPipe);
    }

    /**
     * Why a tree with its own network namespace cannot be dumped here: CRIU locks that namespace
     * with iptables while it dumps. Empty when iptables is installed.
     */
    public static Optional<String> cannotDumpNetworkNamespace() {
        return Host.findExecutable("iptables-restore").isPresent() ? Optional.empty()
                : Optional.of("CRIU locks the sandbox's own network namespace with iptables while it dumps,"
                        + " and iptables is not installed (apt-get install iptables)");
    }

    /** What went wrong in a failed restore, from its log in {@code images}. */
    public static String restoreErrors(Path images, String output) {
        return errorsOf(images.resolve("restore.log"), output) + " (log: " + images.resolve("restore.log") + ")";
    }

    /** CRIU's errors; without any, what it printed and the end of its log. */
    private static String errorsOf(Path log, String output) {
        String text;
        try {
            text = Files.readString(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return (output.strip() + " (no log: " + e.getMessage() + ")").strip();
        }
        String errors = firstErrors(text);
        if (!errors.isEmpty()) {
            return errors;
        }
        List<String> lines = text.lines().toList();
        return (output.strip() + " last lines of the log: "
                + String.join(" | ", lines.subList(Math.max(0, lines.size() - ERROR_LINES_SHOWN), lines.size()))).strip();
    }

    /** The lines CRIU marks as errors, without the probes of optional tools it reports as errors too. */
    static String firstErrors(String log) {
        return log.lines()
                .filter(line -> line.contains("Error") && !line.contains("-save -V failed") && !line.contains("util.c:6"))
                .map(line -> line.replaceFirst("^\\(\\d+\\.\\d+\\)\\s*", "").strip())
                .limit(ERROR_LINES_SHOWN)
                .collect(Collectors.joining("; "));
    }

}
