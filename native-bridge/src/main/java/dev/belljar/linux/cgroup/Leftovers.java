package dev.belljar.linux.cgroup;

import dev.belljar.linux.host.FileTrees;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Sandboxes that outlived the test JVM that made them: a JVM killed with SIGKILL runs no shutdown
 * hook. A leftover is a directory named {@code belljar-<pid>-<n>} ({@link SandboxName}) directly
 * beneath the sandbox parent cgroup(s), or in one of the directories where sandboxes keep a
 * directory of the same name (the extension's work dirs), whose owner no longer runs
 * ({@link SandboxOwners}). Nothing else is ever touched: no other name, no other place, no
 * sandbox of a JVM that runs.
 */
public final class Leftovers {

    /** How long the watchdog waits for its JVM to finish exiting before it removes the JVM's sandboxes. */
    static final Duration OWNER_EXIT_TIMEOUT = Duration.ofSeconds(30);

    private final CgroupHost host;
    private final List<Path> sameNamedIn;
    private final SandboxOwners owners;

    Leftovers(CgroupHost host, List<Path> sameNamedIn, SandboxOwners owners) {
        this.host = host;
        this.sameNamedIn = List.copyOf(sameNamedIn);
        this.owners = owners;
    }

    /** Every leftover, by name; a sandbox of a JVM that runs is none. */
    public List<SandboxName> find() {
        List<SandboxName> left = new ArrayList<>();
        directoriesByName().forEach((name, dirs) -> {
            if (!owners.runs(name.ownerPid(), earliestChange(dirs))) {
                left.add(name);
            }
        });
        return left;
    }

    /** The directories that make up the sandbox {@code name}: its cgroups, then those of the same name elsewhere. */
    public List<Path> directoriesOf(SandboxName name) {
        return Stream.concat(host.parents().stream(), sameNamedIn.stream())
                .map(dir -> dir.resolve(name.toString()))
                .filter(dir -> Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS))
                .toList();
    }

    /**
     * Removes every leftover: kills what still runs in its cgroups, removes them (deepest first)
     * and the directories of the same name. One that cannot be removed now (a process the kernel
     * cannot kill yet, a directory of another user) is left for the next run.
     *
     * @return the names removed
     */
    public List<SandboxName> removeAll() {
        List<SandboxName> removed = new ArrayList<>();
        for (SandboxName name : find()) {
            try {
                remove(name);
                removed.add(name);
            } catch (CgroupException | IOException e) {
                // left for the next run
            }
        }
        return removed;
    }

    /** Kills what runs in the sandbox {@code name}, removes its cgroups, then the directories of the same name. */
    void remove(SandboxName name) throws IOException {
        host.open(name.toString()).ifPresent(Cgroup::close);
        for (Path dir : sameNamedIn) {
            Path sameNamed = dir.resolve(name.toString());
            if (Files.isDirectory(sameNamed, LinkOption.NOFOLLOW_LINKS)) {
                deleteTree(sameNamed);
            }
        }
    }

    /** Every sandbox name found beneath the parents and in the same-named places, with its directories. */
    private Map<SandboxName, List<Path>> directoriesByName() {
        Map<SandboxName, List<Path>> found = new TreeMap<>(Comparator.comparingLong(SandboxName::ownerPid)
                .thenComparingLong(SandboxName::number));
        Stream.concat(host.parents().stream(), sameNamedIn.stream()).distinct().forEach(parent -> {
            try (Stream<Path> children = Files.list(parent)) {
                children.filter(child -> Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)).forEach(child ->
                        SandboxName.parse(child.getFileName().toString())
                                .ifPresent(name -> found.computeIfAbsent(name, key -> new ArrayList<>()).add(child)));
            } catch (IOException e) {
                // A parent that does not exist (yet) or cannot be read holds no leftover this run can remove.
            }
        });
        return found;
    }

    /**
     * When the first of {@code dirs} was last changed: no earlier than the sandbox was made. A
     * directory that cannot be read counts as changed now, which keeps the sandbox of a running owner.
     */
    private static Instant earliestChange(List<Path> dirs) {
        Instant earliest = Instant.now();
        for (Path dir : dirs) {
            try {
                FileTime modified = Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS);
                if (modified.toInstant().isBefore(earliest)) {
                    earliest = modified.toInstant();
                }
            } catch (IOException e) {
                // gone meanwhile, or unreadable: not earlier
            }
        }
        return earliest;
    }

    /** Removes {@code dir} with all it holds, never following a link; already gone is fine. */
    private static void deleteTree(Path dir) throws IOException {
        try {
            FileTrees.delete(dir);
        } catch (NoSuchFileException e) {
            // gone already
        }
    }

    /**
     * The watchdog's clean-up, run once the test JVM it watched closed its end of the pipe: waits
     * until that JVM is gone, then removes its leftovers. When the JVM still runs after
     * {@link #OWNER_EXIT_TIMEOUT} (it closed the pipe but lives on), nothing is touched.
     *
     * <p>Arguments: the JVM's PID, its start time in ticks since boot, the host's
     * {@link CgroupHost#arguments()}, {@code --}, the directories where sandboxes keep one of the same name.
     */
    public static void main(String[] args) {
        List<String> arguments = List.of(args);
        long owner = Long.parseLong(arguments.get(0));
        long startTicks = Long.parseLong(arguments.get(1));
        int separator = arguments.indexOf("--");
        CgroupHost host = CgroupHost.fromArguments(arguments.subList(2, separator));
        List<Path> sameNamedIn = arguments.subList(separator + 1, arguments.size()).stream().map(Path::of).toList();
        SandboxOwners owners = SandboxOwners.real();
        if (!Poll.until(() -> !owners.startTicks(owner).equals(OptionalLong.of(startTicks)), OWNER_EXIT_TIMEOUT)) {
            return;
        }
        Leftovers leftovers = new Leftovers(host, sameNamedIn, owners);
        for (SandboxName name : leftovers.find()) {
            if (name.ownerPid() == owner) {
                try {
                    leftovers.remove(name);
                } catch (CgroupException | IOException e) {
                    System.err.println("cannot remove the sandbox " + name + " of the JVM " + owner + ": " + e);
                }
            }
        }
    }
}
