package dev.belljar.linux.ns;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds the command line that starts a process inside a sandbox: a shell joins the cgroup
 * (its own PID into every {@code cgroup.procs}) and execs util-linux {@code unshare}, which creates
 * the namespaces; the program then starts already inside both. A JVM cannot fork and set up the
 * child itself (it is multithreaded), so everything before exec happens here.
 *
 * <p>With a PID namespace a minimal shell is PID 1 in front of the program: it reaps orphans (a
 * JVM as PID 1 never would, and they would count against {@code pids.max}) and reports a death by
 * signal as exit status 128 + signal, which {@code unshare --fork} itself does not forward
 * reliably. It leads its own session (CRIU dumps only trees whose session leader is inside) and,
 * where asked, opens the program's output files and an exit status file itself, inside the
 * namespaces, and writes the program's exit status there through fd {@value #EXIT_STATUS_FD}:
 * CRIU can dump only files opened in the tree's own mount namespace, a restore can hand the tree
 * other files in their place ({@code --inherit-fd}), and a restored tree's status reaches the
 * parent no other way.
 */
public final class LaunchCommand {
    /**
     * How the init shell runs the program: with its own stderr on /dev/null, where a shell
     * reports a child's death by a signal ("Killed"), which is the exit status's to tell. The
     * program gets the real stderr back (kept as fd 3) from a second shell that execs it: a
     * redirection on the command itself would be in effect, in the init, when it reports.
     */
    static final String RUN_WITH_QUIET_INIT =
            "exec 3>&2 2>/dev/null; /bin/sh -c 'exec 2>&3 3>&- 4>&-; exec \"$@\"' belljar-stderr \"$@\"";

    /** The init's descriptor of the exit status file, which the program does not inherit. */
    public static final int EXIT_STATUS_FD = 4;

    /** Exit status of the launcher when the process could not join its cgroup. */
    public static final int JOIN_CGROUP_FAILED = 125;

    private final Path unshare;
    private final List<Path> procsFiles = new ArrayList<>();
    private boolean pidNamespace = true;
    private boolean netNamespace;
    private boolean utsNamespace = true;
    private boolean ipcNamespace = true;
    private UserMapping userMapping = UserMapping.NONE;
    private boolean cgroupNamespace;
    private long clockOffsetSeconds;
    private InitFiles initFiles;

    public LaunchCommand(Path unshare) {
        this.unshare = Objects.requireNonNull(unshare, "unshare");
    }

    public LaunchCommand joinCgroup(List<Path> cgroupProcsFiles) {
        procsFiles.addAll(cgroupProcsFiles);
        return this;
    }

    public LaunchCommand pidNamespace(boolean enabled) {
        pidNamespace = enabled;
        return this;
    }

    public LaunchCommand netNamespace(boolean enabled) {
        netNamespace = enabled;
        return this;
    }

    public LaunchCommand utsNamespace(boolean enabled) {
        utsNamespace = enabled;
        return this;
    }

    public LaunchCommand ipcNamespace(boolean enabled) {
        ipcNamespace = enabled;
        return this;
    }

    /** A new cgroup namespace: the process's cgroup (joined before) becomes its root. */
    public LaunchCommand cgroupNamespace(boolean enabled) {
        cgroupNamespace = enabled;
        return this;
    }

    /** Who the program is in a new user namespace, if any. */
    public enum UserMapping {
        /** No user namespace: the caller's identity and privileges. */
        NONE,
        /** uid and gid 0 inside, mapped to the caller outside. */
        ROOT,
        /**
         * The caller's own uid and gid inside, mapped to themselves, with the capabilities the new
         * namespace grants kept across exec (ambient): what a non-root caller needs to set up
         * mounts and interfaces before it drops them.
         */
        CALLER
    }

    /** Whether the program starts in a new user namespace, and as whom. */
    public LaunchCommand userNamespace(UserMapping mapping) {
        userMapping = Objects.requireNonNull(mapping, "mapping");
        return this;
    }

    /**
     * A new time namespace whose monotonic and boot-time clocks run {@code seconds} ahead; 0 means
     * none. The kernel applies it to children only, so the program is forked.
     */
    public LaunchCommand timeNamespace(long seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("clock offset must be >= 0 seconds, not " + seconds);
        }
        clockOffsetSeconds = seconds;
        return this;
    }

    /**
     * With a PID namespace: the init opens {@code stdout} and {@code stderr} (appending) as the
     * program's, and {@code exitStatus}, into which it writes the program's exit status when it
     * ends; it opens them inside the namespaces.
     */
    public LaunchCommand initFiles(Path stdout, Path stderr, Path exitStatus) {
        initFiles = new InitFiles(stdout, stderr, exitStatus);
        return this;
    }

    /** The files an init opens for its program: see {@link #initFiles}. */
    public record InitFiles(Path stdout, Path stderr, Path exitStatus) {
        public InitFiles {
            Objects.requireNonNull(stdout, "stdout");
            Objects.requireNonNull(stderr, "stderr");
            Objects.requireNonNull(exitStatus, "exitStatus");
        }
    }

    /** The argv that runs {@code program} in the cgroup joined, without new namespaces (e.g. a CRIU restore). */
    public static List<String> inCgroup(List<Path> cgroupProcsFiles, List<String> program) {
        List<String> argv = joinCgroupPrefix(cgroupProcsFiles);
        argv.addAll(program);
        return argv;
    }

    private static List<String> joinCgroupPrefix(List<Path> procsFiles) {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c",
                "while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit " + JOIN_CGROUP_FAILED
                        + "; shift; done; shift; exec \"$@\"",
                "belljar-join"));
        for (Path procs : procsFiles) {
            argv.add(procs.toString());
        }
        argv.add("--");
        return argv;
    }

    /** The full argv for {@code program}: ready for {@link ProcessBuilder}. */
    public List<String> build(List<String> program) {
        List<String> argv = joinCgroupPrefix(procsFiles);
        argv.add(unshare.toString());
        // A new mount namespace always: /proc is remounted for the PID namespace, and later mounts stay private.
        argv.add("--mount");
        if (utsNamespace) {
            argv.add("--uts");
        }
        if (ipcNamespace) {
            argv.add("--ipc");
        }
        if (netNamespace) {
            argv.add("--net");
        }
        switch (userMapping) {
            case NONE -> { }
            case ROOT -> argv.addAll(List.of("--user", "--map-root-user"));
            case CALLER -> argv.addAll(List.of("--user", "--map-current-user", "--keep-caps"));
        }
        if (cgroupNamespace) {
            argv.add("--cgroup");
        }
        if (clockOffsetSeconds > 0) {
            String offset = Long.toString(clockOffsetSeconds);
            argv.addAll(List.of("--time", "--monotonic", offset, "--boottime", offset));
        }
        if (pidNamespace) {
            argv.addAll(List.of("--pid", "--mount-proc"));
        }
        boolean fork = pidNamespace || clockOffsetSeconds > 0;
        if (fork) {
            argv.addAll(List.of("--fork", "--kill-child"));
        }
        argv.add("--");
        if (fork) {
            // util-linux installs setsid beside unshare.
            argv.add(unshare.resolveSibling("setsid").toString());
            if (initFiles != null) {
                // $0, $1 and $2 name the files; the program's argv follows them.
                argv.addAll(List.of("/bin/sh", "-c", "exec 1>>\"$0\" 2>>\"$1\" " + EXIT_STATUS_FD + ">\"$2\"; shift 2; "
                                + RUN_WITH_QUIET_INIT + "; status=$?; echo $status >&" + EXIT_STATUS_FD + "; exit $status",
                        initFiles.stdout().toString(), initFiles.stderr().toString(), initFiles.exitStatus().toString()));
            } else {
                argv.addAll(List.of("/bin/sh", "-c", RUN_WITH_QUIET_INIT + "; exit $?", "belljar-init"));
            }
        }
        argv.addAll(program);
        return argv;
    }
}
