package dev.belljar.internal.parent;

import dev.belljar.internal.channel.WorkDir;
import dev.belljar.linux.cgroup.Cgroup;
import dev.belljar.linux.cgroup.CgroupLimits;
import dev.belljar.linux.cgroup.CgroupManager;
import dev.belljar.linux.cgroup.CgroupVersion;
import dev.belljar.linux.cgroup.SandboxName;
import dev.belljar.linux.cgroup.Watchdog;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes the sandboxes' cgroups, each under a name unique on this host. Made, it first removes the
 * sandboxes that test JVMs gone before left behind, then starts the watchdog that removes this
 * JVM's should it die without doing so. Closing it undoes what set-up did and ends the watchdog.
 */
final class SandboxCgroups implements AutoCloseable {
    private static final AtomicLong SANDBOX_COUNTER = new AtomicLong();

    private final CgroupManager manager;
    private final Watchdog watchdog;

    SandboxCgroups(CgroupManager manager) {
        this.manager = manager;
        // A sandbox's work dir has its cgroup's name.
        List<Path> workDirs = List.of(WorkDir.root());
        manager.leftovers(workDirs).removeAll();
        this.watchdog = manager.startWatchdog(workDirs);
    }

    /** A new cgroup named {@code belljar-<pid>-<n>}. */
    Cgroup create() {
        return manager.create(new SandboxName(ProcessHandle.current().pid(), SANDBOX_COUNTER.incrementAndGet()).toString());
    }

    /** Why these limits cannot be enforced here, with the fix; empty when they can. */
    Optional<String> cannotEnforce(CgroupLimits limits) {
        return manager.cannotEnforce(limits);
    }

    CgroupVersion version() {
        return manager.version();
    }

    boolean kernelGuardsNamespaceRoots() {
        return manager.kernelGuardsNamespaceRoots();
    }

    String describe() {
        return manager.describe();
    }

    /** How this user may make sandboxes where they are made. */
    String delegation() {
        return manager.delegation();
    }

    @Override
    public void close() {
        try {
            manager.close();
        } finally {
            watchdog.close();
        }
    }
}
