package dev.belljar.linux.criu;

import dev.belljar.linux.host.Host;
import dev.belljar.linux.host.Mountinfo;
import dev.belljar.linux.ns.LaunchCommand;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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

    /** The file CRIU keeps the kernel features it probed in, to read them from instead of probing again. */
    private static final String FEATURES_FILE = "criu.kdat";
    private static final Path RUN = Path.of("/run");

    /** {@link #version} by binary ({@link #identity}). */
    private static final Map<String, String> VERSIONS = new ConcurrentHashMap<>();

    private final Path criu;
    private volatile String version;
    /** A folder with {@value #FEATURES_FILE} that restores see as {@code /run}; null where CRIU keeps its own. */
    private final Path keptFeatures;
    private final Path unshare;

    private Criu(Path criu) {
        this(criu, null, null);
    }

    private Criu(Path criu, Path keptFeatures, Path unshare) {
        this.criu = criu;
        this.keptFeatures = keptFeatures;
        this.unshare = unshare;
    }

    /** Where a CRIU other than the one on the PATH is: a system property, or else an environment variable. */
    public static final String LOCATION_PROPERTY = "belljar.criu";
    public static final String LOCATION_VARIABLE = "BELLJAR_CRIU";

    /**
     * CRIU when it is installed and {@code criu check} passes on this kernel; otherwise why not, with the fix.
     * The binary is {@value #LOCATION_PROPERTY} or {@value #LOCATION_VARIABLE} where one is set, else {@code criu} on the PATH.
     */
    public static Availability probe() {
        String configured = System.getProperty(LOCATION_PROPERTY, System.getenv(LOCATION_VARIABLE));
        Optional<Path> criu = located();
        if (criu.isEmpty()) {
            return new Availability(null, configured == null || configured.isBlank()
                    ? "CRIU is not installed (apt-get install criu)"
                    : "the CRIU named by " + LOCATION_PROPERTY + " or " + LOCATION_VARIABLE + " (" + configured + ") is not an executable file");
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

    /** The binary {@link #probe} checks: {@value #LOCATION_PROPERTY} or {@value #LOCATION_VARIABLE}, else {@code criu} on the PATH. */
    public static Optional<Path> located() {
        String configured = System.getProperty(LOCATION_PROPERTY, System.getenv(LOCATION_VARIABLE));
        return configured == null || configured.isBlank() ? Host.findExecutable("criu")
                : Optional.of(Path.of(configured)).filter(Files::isExecutable);
    }

    /**
     * The CRIU at {@code criu}, taken as usable without {@code criu check}: for a binary that
     * passed it (and more) before, on this boot of this kernel.
     */
    public static Criu known(Path criu) {
        return new Criu(criu);
    }

    /** The binary. */
    public Path path() {
        return criu;
    }

    /**
     * What {@code criu --version} says, e.g. {@code 4.1.1}; empty if it says nothing readable.
     * Asked once per binary and JVM (every restore names its image with it): a test JVM that runs
     * JUnit several times, each with its own Belljar state, does not start CRIU each time.
     */
    public String version() {
        String known = version;
        if (known == null) {
            known = VERSIONS.computeIfAbsent(identity(), key -> Host.run(List.of(criu.toString(), "--version"), 10)
                    .output().lines().filter(line -> line.startsWith("Version:"))
                    .map(line -> line.substring("Version:".length()).strip()).findFirst().orElse(""));
            version = known;
        }
        return known;
    }

    /** The binary's path and {@link Host#identityOf identity}: another build of it is another binary. */
    private String identity() {
        try {
            return criu + " " + Host.identityOf(criu);
        } catch (IOException e) {
            return criu.toString();
        }
    }

    /**
     * This CRIU with the kernel features it probes kept in {@code folder}, where this host's
     * {@code /run} is not a tmpfs, as in many containers: CRIU keeps them in
     * {@code /run/criu.kdat} only on a tmpfs, so that they never outlive a boot, and elsewhere
     * probes the kernel again at every start (about 25 ms of CPU, half of a restore here). The
     * features are probed once, by {@code criu check} under a tmpfs of its own; each restore then
     * sees {@code folder} as {@code /run}, in a mount namespace of its own made with
     * {@code unshare}, which the restored tree does not inherit. {@code folder} must be this
     * user's alone, and of this boot of this kernel and this CRIU, as a tmpfs would be: its
     * name should say which. This CRIU as it is where {@code /run} is a tmpfs or the probe fails.
     */
    public Criu withFeaturesKeptIn(Path folder, Path unshare) {
        if (keepsKernelFeaturesItself()) {
            return this;
        }
        Path features = folder.resolve(FEATURES_FILE);
        if (!Files.isRegularFile(features)) {
            try {
                Files.createDirectories(folder);
                Path probed = Files.createTempFile(folder, FEATURES_FILE, ".partial");
                Host.run(inOwnMountNamespace(unshare, "mount -t tmpfs -o size=1m,mode=0700 belljar-criu " + RUN
                        + " && \"$0\" check >/dev/null 2>&1; cat " + RUN.resolve(FEATURES_FILE) + " > \"$1\"",
                        List.of(criu.toString(), probed.toString())), 60);
                if (Files.size(probed) == 0) {
                    Files.delete(probed);
                    return this;
                }
                Files.move(probed, features, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                return this;
            }
        }
        return new Criu(criu, folder, unshare);
    }

    /** A shell running {@code script} with {@code args} ($0, $1, ...) in a mount namespace of its own, whose mounts stay in it. */
    private static List<String> inOwnMountNamespace(Path unshare, String script, List<String> args) {
        List<String> argv = new ArrayList<>(List.of(unshare.toString(), "--mount", "--propagation", "private", "/bin/sh",
                "-c", script));
        argv.addAll(args);
        return argv;
    }

    /** Where the kernel features are kept for this CRIU's restores: empty where CRIU keeps them itself, in {@code /run}. */
    public Optional<Path> keptFeatures() {
        return Optional.ofNullable(keptFeatures);
    }

    /**
     * Whether CRIU keeps the kernel features it probed from one start to the next here: where the
     * last mount at {@code /run} is a tmpfs.
     */
    public static boolean keepsKernelFeaturesItself() {
        try {
            List<Mountinfo.Mount> atRun = Mountinfo.read(Path.of("/proc/self/mountinfo")).stream()
                    .filter(mount -> mount.mountPoint().equals(RUN.toString())).toList();
            return !atRun.isEmpty() && atRun.get(atRun.size() - 1).fsType().equals("tmpfs");
        } catch (IOException e) {
            return true;  // as CRIU would find it: nothing is kept for it
        }
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
        dump(rootPid, images, List.of());
    }

    /**
     * Dumps a tree that holds no connection, into {@code images}, as a template to restore many
     * times: its network namespace is not locked (that needs iptables or nftables, and guards
     * connections only), so nothing but CRIU is needed.
     */
    public void dumpTemplate(long rootPid, Path images) throws CheckpointFailedException {
        dump(rootPid, images, List.of("--network-lock", "skip"));
    }

    private void dump(long rootPid, Path images, List<String> options) throws CheckpointFailedException {
        List<String> argv = new ArrayList<>(List.of(criu.toString(), "dump", "--tree", Long.toString(rootPid), "--images-dir",
                images.toString(), "--log-file", "dump.log", "--external", "mnt[]", "--leave-stopped"));
        argv.addAll(options);
        Host.CommandResult dump = Host.run(argv, DUMP_TIMEOUT_SECONDS);
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
        return List.of(criu.toString(), "restore", "--images-dir", images.toString(), "--log-file", RESTORE_LOG,
                "--external", "mnt[]", "--root", "/", "--manage-cgroups=ignore", "--inherit-fd", "fd[0]:" + stdinPipe);
    }

    /**
     * The command that restores a template ({@link #dumpTemplate}) from {@code images}, which it
     * only reads; its log goes to {@code workDir}. The template's init opened {@code template}'s
     * files ({@link LaunchCommand#initFiles}) and read {@code stdinPipe} ({@code pipe:[inode]});
     * the restored tree has {@code restored}'s files in their place, and the command's stdin. It
     * stays in the foreground while the tree runs, and must be started in the cgroup the tree is
     * to run in.
     */
    public List<String> restoreTemplateCommand(Path images, Path workDir, String stdinPipe,
                                               LaunchCommand.InitFiles template, LaunchCommand.InitFiles restored) {
        int status = LaunchCommand.EXIT_STATUS_FD;
        List<String> argv = new ArrayList<>();
        if (keptFeatures != null) {
            // Without the features where CRIU looks for them, it probes the kernel again: slower, not wrong.
            argv.addAll(inOwnMountNamespace(unshare, "mount --bind \"$0\" " + RUN + "; exec \"$@\"",
                    List.of(keptFeatures.toString())));
        }
        // The shell opens the restored files as the init did, then CRIU hands them over in place of the template's.
        argv.addAll(List.of("/bin/sh", "-c", "exec 1>>\"$0\" 2>>\"$1\" " + status + ">\"$2\"; shift 2; exec \"$@\"",
                restored.stdout().toString(), restored.stderr().toString(), restored.exitStatus().toString(),
                criu.toString(), "restore", "--images-dir", images.toString(), "--work-dir", workDir.toString(),
                "--log-file", RESTORE_LOG, "--external", "mnt[]", "--root", "/", "--manage-cgroups=ignore"));
        Map<Integer, String> inherited = new LinkedHashMap<>();
        inherited.put(0, stdinPipe);
        inherited.put(1, fileKey(template.stdout()));
        inherited.put(2, fileKey(template.stderr()));
        inherited.put(status, fileKey(template.exitStatus()));
        inherited.forEach((fd, resource) -> argv.addAll(List.of("--inherit-fd", "fd[" + fd + "]:" + resource)));
        return argv;
    }

    /** How CRIU names a regular file for {@code --inherit-fd}: its absolute path without the leading slash. */
    private static String fileKey(Path file) {
        return file.toAbsolutePath().toString().substring(1);
    }

    /** The log of a template's restore, in the work dir given to {@link #restoreTemplateCommand}. */
    public static final String RESTORE_LOG = "restore.log";

    /**
     * Why a tree with its own network namespace cannot be dumped here: CRIU locks that namespace
     * with iptables while it dumps. Empty when iptables is installed.
     */
    public static Optional<String> cannotDumpNetworkNamespace() {
        return Host.findExecutable("iptables-restore").isPresent() ? Optional.empty()
                : Optional.of("CRIU locks the sandbox's own network namespace with iptables while it dumps,"
                        + " and iptables is not installed (apt-get install iptables)");
    }

    /**
     * What went wrong in a failed restore, from its log in {@code dir}, which goes with it (a work
     * dir): what the log says, without its path.
     */
    public static String restoreErrorsOfPassingLog(Path dir, String output) {
        return errorsOf(dir.resolve(RESTORE_LOG), output);
    }

    /** What went wrong in a failed restore, from its log in {@code images}, which stays: its path too. */
    public static String restoreErrors(Path images, String output) {
        Path log = images.resolve(RESTORE_LOG);
        return errorsOf(log, output) + (Files.exists(log) ? " (log: " + log + ")" : "");
    }

    /** CRIU's errors; without any, what it printed and the end of its log. */
    private static String errorsOf(Path log, String output) {
        String text;
        try {
            text = Files.readString(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return output.strip().isEmpty() ? "it wrote no log (" + log + ")" : output.strip();
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
