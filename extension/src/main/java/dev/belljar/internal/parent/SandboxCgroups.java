package dev.belljar.internal.parent;

import dev.belljar.linux.cgroup.Cgroup;
import dev.belljar.linux.cgroup.CgroupLimits;
import dev.belljar.linux.cgroup.CgroupManager;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** Makes the sandboxes' cgroups, each under a name unique on this host. Closing it undoes what set-up did. */
final class SandboxCgroups implements AutoCloseable {
    private static final AtomicLong SANDBOX_COUNTER = new AtomicLong();

    private final CgroupManager manager;

    SandboxCgroups(CgroupManager manager) {
        this.manager = manager;
    }

    /** A new cgroup named {@code belljar-<pid>-<n>}. */
    Cgroup create() {
        return manager.create("belljar-" + ProcessHandle.current().pid() + "-" + SANDBOX_COUNTER.incrementAndGet());
    }

    /** Why these limits cannot be enforced here, with the fix; empty when they can. */
    Optional<String> cannotEnforce(CgroupLimits limits) {
        return manager.cannotEnforce(limits);
    }

    @Override
    public void close() {
        manager.close();
    }
}
