package dev.belljar;

import dev.belljar.linux.cgroup.CgroupUser;
import dev.belljar.linux.host.Mountinfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What the sandboxes of this JVM could leave behind on the host, read from {@code /proc} and the
 * cgroup filesystem without Belljar's own code: processes, cgroups, work dirs, mounts and file
 * descriptors. Each method returns a readable line per item, so that a failed check names them.
 */
final class Leftovers {
    private static final Path PROC = Path.of("/proc");

    /** {@code belljar-<this pid>-}: how this JVM's sandbox cgroups and work dirs begin. */
    private final String prefix = "belljar-" + ProcessHandle.current().pid() + "-";
    /** This JVM's own cgroup in each hierarchy, where its sandboxes' cgroups are made. */
    private final List<Path> ownCgroups;

    private Leftovers(List<Path> ownCgroups) {
        this.ownCgroups = ownCgroups;
    }

    /** Finds this JVM's cgroups now: before sandboxes run (on cgroup v2 Belljar moves the JVM into a leaf while they do). */
    static Leftovers ofThisJvm() throws IOException {
        List<Mountinfo.Mount> mounts = Mountinfo.read(Path.of("/proc/self/mountinfo"));
        List<Path> own = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] fields = line.split(":", 3);   // hierarchy id, controllers, path
            if (fields.length == 3) {
                hierarchyMount(mounts, fields[1]).ifPresent(mount -> {
                    Path cgroup = Path.of(mount.mountPoint(), relative(mount.root(), fields[2]));
                    own.add(cgroup);
                    // Where the setup delegated a subtree to this user, its sandboxes go there.
                    Path delegated = cgroup.resolve(CgroupUser.setupSubtreeName(System.getProperty("user.name")));
                    if (KernelTest.rootless() && Files.isDirectory(delegated)) {
                        own.add(delegated);
                    }
                });
            }
        }
        return new Leftovers(List.copyOf(own));
    }

    /** The mount of the hierarchy with {@code controllers} ({@code memory}, {@code cpu,cpuacct}; empty: cgroup2). */
    private static Optional<Mountinfo.Mount> hierarchyMount(List<Mountinfo.Mount> mounts, String controllers) {
        return mounts.stream().filter(m -> controllers.isEmpty() ? m.fsType().equals("cgroup2")
                        : m.fsType().equals("cgroup") && m.superOptions().containsAll(List.of(controllers.split(","))))
                .reduce((first, later) -> later);
    }

    private static String relative(String mountRoot, String cgroup) {
        String below = cgroup.startsWith(mountRoot) ? cgroup.substring(mountRoot.length()) : cgroup;
        return below.startsWith("/") ? below.substring(1) : below;
    }

    /** This JVM's own cgroup in every hierarchy. */
    List<Path> ownCgroups() {
        return ownCgroups;
    }

    /** Live children and descendants of this JVM but the test run's watchdog, as {@code pid command line}. */
    List<String> descendants() {
        return KernelTest.descendantsButTheWatchdog().stream()
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
    }

    /**
     * Processes anywhere on the host in a {@code belljar-<this pid>-*} cgroup, in any hierarchy,
     * as {@code pid command line}: what escaped this JVM's tree (a {@code sleep} of a sandbox
     * without a PID namespace is re-parented to the host's init) still sits in its cgroup.
     */
    List<String> processesInSandboxCgroups() {
        return processesWhere("cgroup", text -> text.contains("/" + prefix));
    }

    /** Processes anywhere on the host whose environment holds {@code entry} ({@code NAME=value}). */
    List<String> processesWithEnvironment(String entry) {
        return processesWhere("environ", text -> List.of(text.split("\0")).contains(entry));
    }

    private static List<String> processesWhere(String file, Predicate<String> matches) {
        List<String> found = new ArrayList<>();
        try (Stream<Path> pids = Files.list(PROC)) {
            pids.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(pid -> {
                try {
                    if (matches.test(new String(Files.readAllBytes(pid.resolve(file)), StandardCharsets.UTF_8))) {
                        found.add(pid.getFileName() + " " + commandLine(pid));
                    }
                } catch (IOException e) {
                    // the process ended while we looked
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + PROC, e);
        }
        return found;
    }

    private static String commandLine(Path pid) throws IOException {
        return new String(Files.readAllBytes(pid.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ').strip();
    }

    /** {@code belljar-<this pid>-*} cgroups beneath this JVM's own cgroup, in every hierarchy. */
    List<String> sandboxCgroups() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path own : ownCgroups) {
            found.addAll(named(own));
        }
        return found;
    }

    /** {@code belljar-<this pid>-*} work dirs in {@code java.io.tmpdir}. */
    List<String> workDirs() throws IOException {
        return named(Path.of(System.getProperty("java.io.tmpdir")));
    }

    private List<String> named(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(prefix)).map(Path::toString).toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    /** This JVM's mount table, one line per mount. */
    static List<String> mounts() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo"));
    }

    /** This JVM's open file descriptors: number to what it refers to (a path, {@code pipe:[n]}, {@code anon_inode:...}). */
    static TreeMap<Integer, String> descriptors() throws IOException {
        TreeMap<Integer, String> open = new TreeMap<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(fd -> {
                try {
                    open.put(Integer.parseInt(fd.getFileName().toString()), Files.readSymbolicLink(fd).toString());
                } catch (IOException e) {
                    // closed while listing, such as the listing's own descriptor
                }
            });
        }
        return open;
    }
}
