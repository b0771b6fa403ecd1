package dev.belljar.linux.cgroup;

import dev.belljar.linux.host.Host;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one-time setup, run as root, that lets a non-root user make sandboxes: it delegates a cgroup
 * subtree to the user the way systemd does. Every change is printed before it is made and noted in
 * a journal, from which {@link #undo} reverses them; nothing else is touched.
 *
 * <ul>
 *   <li>cgroup v2 with systemd: a drop-in for {@code user@.service} that delegates the memory, cpu,
 *       cpuset, io and pids controllers to every user manager, and lingering for the user, so that
 *       its manager runs without a login (a CI runner's user never logs in). Belljar then asks that
 *       manager for a delegated scope.</li>
 *   <li>cgroup v2 without systemd: {@code belljar-for-USER} beneath the setup's own cgroup, with
 *       those controllers handed down to it, chowned to the user. Root starts the user's test JVM
 *       inside it (cgroup v2 lets a user move a process only within cgroups it owns).</li>
 *   <li>cgroup v1: {@code belljar-for-USER} beneath the setup's own cgroup in each hierarchy
 *       Belljar uses, chowned to the user; a test JVM of the user started from the same cgroups
 *       finds it there.</li>
 * </ul>
 */
public final class DelegationSetup {
    /** The controllers a sandbox can use, in the order cgroup v2 names them. */
    static final List<String> V2_CONTROLLERS = List.of("cpu", "cpuset", "io", "memory", "pids");
    static final String SYSTEMD_DROP_IN = "etc/systemd/system/user@.service.d/belljar-delegate.conf";
    /** What a delegated cgroup's user must be able to write, where the kernel has the file. */
    private static final List<String> DELEGATED_FILES = List.of("cgroup.procs", "cgroup.subtree_control",
            "cgroup.threads", "tasks");

    private final String user;
    private final long uid;
    private final long gid;
    private final Path hostRoot;
    private final Path mountinfo;
    private final Path procSelfCgroup;
    private final Function<List<String>, Host.CommandResult> commands;
    private final PrintStream out;

    DelegationSetup(String user, long uid, long gid, Path hostRoot, Path mountinfo, Path procSelfCgroup,
            Function<List<String>, Host.CommandResult> commands, PrintStream out) {
        this.user = user;
        this.uid = uid;
        this.gid = gid;
        this.hostRoot = hostRoot;
        this.mountinfo = mountinfo;
        this.procSelfCgroup = procSelfCgroup;
        this.commands = commands;
        this.out = out;
    }

    /**
     * The setup for {@code user} on this host.
     *
     * @throws IllegalArgumentException when no such user exists
     */
    public static DelegationSetup forUser(String user, PrintStream out) {
        Host.CommandResult uid = Host.run(List.of("id", "-u", user), 10);
        Host.CommandResult gid = Host.run(List.of("id", "-g", user), 10);
        if (uid.status() != 0 || gid.status() != 0) {
            throw new IllegalArgumentException("no user named '" + user + "' on this host (id -u " + user + ": "
                    + uid.firstLine() + "): name the user that runs the tests, e.g. runner");
        }
        return new DelegationSetup(user, Long.parseLong(uid.firstLine()), Long.parseLong(gid.firstLine()), Path.of("/"),
                Path.of("/proc/self/mountinfo"), Path.of("/proc/self/cgroup"), command -> Host.run(command, 60), out);
    }

    /** The journal of what {@link #apply} changed, which {@link #undo} reverses. */
    Path journal() {
        return hostRoot.resolve("var/lib/belljar/delegation-" + user);
    }

    /**
     * Delegates a subtree to the user, printing each change first.
     *
     * @return what the user does next, for the setup's last lines
     * @throws CgroupException when a change fails or the host cannot delegate; what was done is in the journal
     */
    public String apply() {
        if (Files.exists(journal())) {
            throw new CgroupException("the setup for " + user + " was already made (" + journal()
                    + " lists its changes): undo it first with --undo " + user);
        }
        List<CgroupMount> mounts = CgroupMount.readAll(mountinfo);
        ProcCgroups self = ProcCgroups.read(procSelfCgroup);
        Optional<CgroupMount> unified = CgroupMount.unified(mounts);
        boolean v1 = CgroupMount.v1Hierarchy(mounts, "memory").isPresent();
        change("note each change in " + journal() + ", which --undo " + user + " reverses", () -> {
            Files.createDirectories(journal().getParent());
            Files.writeString(journal(), "");
        }, null);
        if (v1) {
            return applyV1(mounts, self);
        }
        if (unified.isEmpty()) {
            throw new CgroupException("no cgroup filesystem is mounted (no cgroup or cgroup2 line in " + mountinfo + ")");
        }
        if (Files.isDirectory(hostRoot.resolve("run/systemd/system"))) {
            return applySystemd();
        }
        return applyV2(unified.get(), self);
    }

    private String applyV1(List<CgroupMount> mounts, ProcCgroups self) {
        Set<Path> made = new LinkedHashSet<>();
        for (String controller : CgroupV1.CONTROLLERS) {
            Optional<CgroupMount> mount = CgroupMount.v1Hierarchy(mounts, controller);
            if (mount.isEmpty()) {
                continue;
            }
            Path own = mount.get().ownDirectory(self, hostRoot);
            Path subtree = own.resolve(CgroupUser.setupSubtreeName(user));
            if (made.add(subtree)) {
                makeCgroup(subtree);
                if (controller.equals("cpuset")) {
                    // A v1 cpuset takes no process until it has CPUs and memory nodes.
                    for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
                        String value = read(own.resolve(file));
                        change("write " + value + " to " + subtree.resolve(file) + " (as " + own + " has)",
                                () -> Files.writeString(subtree.resolve(file), value), null);
                    }
                }
                delegate(subtree);
            }
        }
        return "tests of " + user + " started from this cgroup find " + CgroupUser.setupSubtreeName(user)
                + " beneath it in each hierarchy: run them as " + user + ", e.g. runuser -u " + user + " -- mvn -B install";
    }

    private String applyV2(CgroupMount unified, ProcCgroups self) {
        Path own = unified.ownDirectory(self, hostRoot);
        Set<String> offered = ControlFiles.words(read(own.resolve("cgroup.controllers")));
        Set<String> enabled = ControlFiles.words(read(own.resolve("cgroup.subtree_control")));
        List<String> wanted = V2_CONTROLLERS.stream().filter(offered::contains).filter(c -> !enabled.contains(c)).toList();
        boolean isRoot = own.equals(unified.mountDirectory(hostRoot));
        if (!wanted.isEmpty() && !isRoot && !read(own.resolve("cgroup.procs")).isBlank()) {
            throw new CgroupException("the setup runs in " + own + ", which holds processes, so it cannot hand the "
                    + String.join(", ", wanted) + " controllers down (cgroup v2 allows no processes in a cgroup that"
                    + " does): run it from the root cgroup or from an empty cgroup's child");
        }
        if (!wanted.isEmpty()) {
            String enable = wanted.stream().map(c -> "+" + c).collect(Collectors.joining(" "));
            change("write '" + enable + "' to " + own.resolve("cgroup.subtree_control") + " (hand the "
                    + String.join(", ", wanted) + " controllers down)",
                    () -> Files.writeString(own.resolve("cgroup.subtree_control"), enable),
                    "enabled " + own.resolve("cgroup.subtree_control") + " " + String.join(" ", wanted));
        }
        Path subtree = own.resolve(CgroupUser.setupSubtreeName(user));
        makeCgroup(subtree);
        delegate(subtree);
        // setpriv execs: runuser would stay behind, a root process in the user's cgroup, where
        // it keeps the user from handing controllers down.
        return "start " + user + "'s test JVM inside " + subtree + " as root, with no root process left there,"
                + " e.g. sudo sh -c 'echo $$ > " + subtree.resolve("cgroup.procs") + " && exec setpriv --reuid="
                + user + " --regid=" + user + " --init-groups env HOME=/home/" + user + " mvn -B install'";
    }

    private String applySystemd() {
        Path dropIn = hostRoot.resolve(SYSTEMD_DROP_IN);
        if (!Files.exists(dropIn)) {
            String text = "# Belljar: every user manager may hand these controllers to its delegated scopes\n"
                    + "[Service]\nDelegate=" + String.join(" ", V2_CONTROLLERS) + "\n";
            if (!Files.isDirectory(dropIn.getParent())) {
                change("make the directory " + dropIn.getParent(), () -> Files.createDirectory(dropIn.getParent()),
                        "dir " + dropIn.getParent());
            }
            change("write " + dropIn + ": Delegate=" + String.join(" ", V2_CONTROLLERS) + " for user@.service",
                    () -> Files.writeString(dropIn, text), "file " + dropIn);
            command(List.of("systemctl", "daemon-reload"), null);
        }
        if (!Files.exists(hostRoot.resolve("var/lib/systemd/linger").resolve(user))) {
            command(List.of("loginctl", "enable-linger", user), "linger " + user);
        }
        return "tests of " + user + " ask its systemd user manager for a delegated scope (restart a running manager"
                + " to give it the new controllers: systemctl restart user@" + uid + ".service)";
    }

    /** Where AppArmor restricts unprivileged user namespaces: what to do, printed, not done. */
    public Optional<String> appArmorAdvice() {
        Path restricted = hostRoot.resolve("proc/sys/kernel/apparmor_restrict_unprivileged_userns");
        if (!Files.exists(restricted) || !read(restricted).equals("1")) {
            return Optional.empty();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return Optional.of("AppArmor restricts unprivileged user namespaces here (" + restricted + " = 1), and"
                + " sandboxes of " + user + " need them. Either allow them for all: sysctl -w"
                + " kernel.apparmor_restrict_unprivileged_userns=0, or only for this JDK's java with a profile in"
                + " /etc/apparmor.d/belljar-java:\n"
                + "abi <abi/4.0>,\ninclude <tunables/global>\nprofile belljar-java " + java + " flags=(unconfined) {\n"
                + "  userns,\n}\n"
                + "then: apparmor_parser -r /etc/apparmor.d/belljar-java");
    }

    /** Reverses what the journal lists, last change first, then removes the journal. */
    public void undo() {
        if (!Files.exists(journal())) {
            throw new CgroupException("there is no setup for " + user + " to undo (no " + journal() + ")");
        }
        List<String> lines;
        try {
            lines = new ArrayList<>(Files.readAllLines(journal()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + journal(), e);
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i);
            String[] words = line.split(" ");
            switch (words[0]) {
                case "mkdir" -> {
                    Path dir = Path.of(line.substring("mkdir ".length()));
                    change("remove the cgroup " + dir, () -> Files.deleteIfExists(dir), null);
                }
                case "enabled" -> {
                    String disable = Arrays.stream(words).skip(2).map(c -> "-" + c).collect(Collectors.joining(" "));
                    change("write '" + disable + "' to " + words[1], () -> Files.writeString(Path.of(words[1]), disable),
                            null);
                }
                case "file" -> {
                    Path file = Path.of(words[1]);
                    change("remove " + file, () -> Files.deleteIfExists(file), null);
                    command(List.of("systemctl", "daemon-reload"), null);
                }
                case "dir" -> {
                    Path dir = Path.of(line.substring("dir ".length()));
                    change("remove the directory " + dir, () -> Files.deleteIfExists(dir), null);
                }
                case "linger" -> command(List.of("loginctl", "disable-linger", words[1]), null);
                default -> throw new CgroupException(journal() + " has a line this setup did not write: " + line);
            }
        }
        change("remove " + journal(), () -> {
            Files.delete(journal());
            try (var left = Files.list(journal().getParent())) {
                if (left.findAny().isEmpty()) {
                    Files.delete(journal().getParent());
                }
            }
        }, null);
    }

    private void makeCgroup(Path dir) {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new CgroupException(dir + " exists already; remove it or undo an earlier setup first");
        }
        change("make the cgroup " + dir, () -> Files.createDirectory(dir), "mkdir " + dir);
    }

    /** What systemd chowns for a delegated unit: the directory and the files that move processes and hand controllers down. */
    private void delegate(Path dir) {
        List<Path> owned = new ArrayList<>(List.of(dir));
        DELEGATED_FILES.stream().map(dir::resolve).filter(Files::exists).forEach(owned::add);
        change("chown " + uid + ":" + gid + " " + owned.stream().map(Path::toString).collect(Collectors.joining(" ")),
                () -> {
                    for (Path path : owned) {
                        Files.setAttribute(path, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
                        Files.setAttribute(path, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
                    }
                }, null);
    }

    private void command(List<String> command, String journalLine) {
        change("run " + String.join(" ", command), () -> {
            Host.CommandResult result = commands.apply(command);
            if (result.status() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + result.firstLine());
            }
        }, journalLine);
    }

    private interface Action {
        void run() throws IOException;
    }

    /** Prints the change, makes it, then notes it in the journal (where it has an undo). */
    private void change(String description, Action action, String journalLine) {
        out.println("belljar setup: " + description);
        try {
            action.run();
            if (journalLine != null) {
                Files.writeString(journal(), journalLine + "\n", java.nio.file.StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            throw new CgroupException("could not " + description + ": " + ControlFiles.reason(e), e);
        }
    }

    private static String read(Path file) {
        return ControlFiles.real().read(file);
    }
}
