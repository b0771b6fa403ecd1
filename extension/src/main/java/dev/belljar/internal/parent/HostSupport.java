package dev.belljar.internal.parent;

import dev.belljar.linux.cgroup.CgroupException;
import dev.belljar.linux.cgroup.CgroupManager;
import dev.belljar.spec.SandboxSpec;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What sandboxes of one test run share: the host's probe, the factory of their cgroups, the
 * archive children start from and the pool of spare children. Lives in the root
 * {@code ExtensionContext.Store}: closing it removes the spares and undoes what set-up did.
 */
public final class HostSupport implements AutoCloseable {
    private final HostProbe probe;
    private final SandboxCgroups cgroups;
    private final Optional<ClassDataSharing> classDataSharing;
    private final SparePool spares = new SparePool(this);

    private HostSupport(HostProbe probe, SandboxCgroups cgroups, Optional<ClassDataSharing> classDataSharing) {
        this.probe = probe;
        this.cgroups = cgroups;
        this.classDataSharing = classDataSharing;
    }

    public static HostSupport detect(Optional<Path> cgroupParent, boolean classDataSharing) {
        HostProbe probe = HostProbe.run();
        if (probe.unavailable().isPresent()) {
            return new HostSupport(probe, null, Optional.empty());
        }
        try {
            return new HostSupport(probe, new SandboxCgroups(CgroupManager.detect(cgroupParent)),
                    classDataSharing ? ClassDataSharing.forChildren(ChildJvm.commonFlags()) : Optional.empty());
        } catch (CgroupException e) {
            return new HostSupport(HostProbe.unavailable("no usable cgroup hierarchy: " + e.getMessage()), null,
                    Optional.empty());
        }
    }

    /** How {@code spec}'s sandbox is launched here; its class path comes from the calling thread's class loader. */
    public LaunchPlan plan(SandboxSpec spec) {
        return LaunchPlan.of(spec, classDataSharing);
    }

    /** Why this host cannot run {@code plan} enforced, with the fix; empty when it can. */
    public Optional<String> cannotEnforce(LaunchPlan plan) {
        return probe.cannotLaunch(plan).or(() -> cgroups.cannotEnforce(plan.limits()));
    }

    HostProbe probe() {
        return probe;
    }

    SandboxCgroups cgroups() {
        return cgroups;
    }

    public SparePool spares() {
        return spares;
    }

    @Override
    public void close() {
        spares.close();
        if (cgroups != null) {
            cgroups.close();
        }
    }
}
