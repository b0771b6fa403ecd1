package dev.belljar.linux.cgroup;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Creates and removes cgroup directories (mkdir and rmdir are the whole cgroupfs API for that). */
final class CgroupDirectories {

    /** The kernel frees a cgroup asynchronously after its last process died: rmdir may see EBUSY. */
    static final Duration REMOVE_RETRY = Duration.ofSeconds(2);

    private CgroupDirectories() {
    }

    static void create(Path dir) {
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new CgroupException("cannot create cgroup directory " + dir + ": " + ControlFiles.reason(e), e);
        }
    }

    /** A configured parent cgroup is created on first use and left in place for the next run. */
    static void createMissingParent(Path parent) {
        if (!Files.isDirectory(parent)) {
            try {
                Files.createDirectories(parent);
            } catch (IOException e) {
                throw new CgroupException("cannot create the sandbox parent cgroup " + parent + ": "
                        + ControlFiles.reason(e), e);
            }
        }
    }

    /**
     * Removes {@code dir} and any cgroups a sandboxed process created beneath it, deepest first.
     * Only directories are removed: the control files in them go with the rmdir. Already gone is fine.
     */
    static void remove(Path dir) {
        List<Path> all = new ArrayList<>(withDescendants(dir));
        Collections.reverse(all);
        all.forEach(CgroupDirectories::removeOne);
    }

    /**
     * {@code dir} and every cgroup beneath it, parents first: a process in a sandbox may have made
     * cgroups of its own and moved into them. A directory's link count is 2 plus its subdirectories
     * on cgroupfs, so the common case (none) costs one stat, not a walk over every control file.
     */
    static List<Path> withDescendants(Path dir) {
        try {
            if ((Integer) Files.getAttribute(dir, "unix:nlink") <= 2) {
                return List.of(dir);
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException | UnsupportedOperationException | ClassCastException e) {
            // no link count here: walk
        }
        return parentsFirst(dir);
    }

    private static List<Path> parentsFirst(Path dir) {
        try (Stream<Path> tree = Files.walk(dir)) {
            return tree.filter(Files::isDirectory).sorted().collect(Collectors.toList());
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            // A directory vanishing during the walk is not an error; rmdir of the top still reports any real one.
            return List.of(dir);
        }
    }

    private static void removeOne(Path dir) {
        Poll retry = Poll.within(REMOVE_RETRY);
        while (true) {
            try {
                Files.delete(dir);
                return;
            } catch (NoSuchFileException e) {
                return;
            } catch (FileSystemException e) {
                if (!retry.pauseWithin()) {
                    throw new CgroupException("cannot remove cgroup directory " + dir + ": " + ControlFiles.reason(e), e);
                }
            } catch (IOException e) {
                throw new CgroupException("cannot remove cgroup directory " + dir + ": " + ControlFiles.reason(e), e);
            }
        }
    }
}
