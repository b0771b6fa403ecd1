package dev.belljar.linux.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** What {@link CgroupManager} needs from one cgroup interface (v1 hierarchies or the unified one). */
interface CgroupHost extends AutoCloseable {

    CgroupVersion version();

    String describe();

    Set<String> missingControllers();

    /** Every reason this host cannot enforce {@code limits}; empty when it can. */
    List<String> cannotEnforce(CgroupLimits limits, boolean hostHasSwap);

    Cgroup create(String name);

    /** Accounting of the parent cgroup: inside a sandbox, without a configured parent, the sandbox itself. */
    CgroupStats parentStats();

    @Override
    void close();

    /** A sandbox parent must be writable; a configured one that does not exist yet needs a writable ancestor. */
    static Optional<String> notWritable(Path parent) {
        Path existing = nearestExisting(parent);
        if (Files.isWritable(existing)) {
            return Optional.empty();
        }
        return Optional.of("the sandbox parent cgroup " + existing + " is not writable by user "
                + System.getProperty("user.name") + ": Belljar needs root or a delegated cgroup subtree"
                + " (systemd Delegate=yes), or a configured parent cgroup this user owns");
    }

    static Path nearestExisting(Path dir) {
        Path existing = dir;
        while (!Files.exists(existing) && existing.getParent() != null) {
            existing = existing.getParent();
        }
        return existing;
    }
}
