package dev.belljar.internal.parent;

import dev.belljar.Doctor;
import dev.belljar.linux.cgroup.CgroupException;
import dev.belljar.linux.cgroup.CgroupManager;
import dev.belljar.linux.cgroup.CgroupVersion;
import dev.belljar.linux.cgroup.NotDelegatedException;
import dev.belljar.linux.ns.Capability;
import dev.belljar.spec.Attribute;
import dev.belljar.spec.SandboxSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

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
    private final WarmTemplates templates;
    /** Each spec's plan, made once: the tests of a class ask for the same one again and again. */
    private final Map<SandboxSpec, LaunchPlan> plans = new ConcurrentHashMap<>();

    private HostSupport(HostProbe probe, SandboxCgroups cgroups, Optional<ClassDataSharing> classDataSharing,
                        boolean restore) {
        this.templates = new WarmTemplates(this, restore);
        this.probe = probe;
        this.cgroups = cgroups;
        this.classDataSharing = classDataSharing;
    }

    public static HostSupport detect(Optional<Path> cgroupParent, boolean classDataSharing) {
        return detect(cgroupParent, classDataSharing, true);
    }

    /** @param restore whether children may be restored from warm templates, where the host allows it */
    public static HostSupport detect(Optional<Path> cgroupParent, boolean classDataSharing, boolean restore) {
        HostProbe probe = HostProbe.run();
        if (probe.unavailable().isPresent()) {
            return new HostSupport(probe, null, Optional.empty(), restore);
        }
        try {
            return new HostSupport(probe, new SandboxCgroups(CgroupManager.detect(cgroupParent)),
                    classDataSharing ? ClassDataSharing.forChildren(ChildJvm.commonFlags()) : Optional.empty(), restore);
        } catch (NotDelegatedException e) {
            return new HostSupport(HostProbe.unavailable(e.getMessage() + "; fix, once, as root: "
                    + Doctor.setupCommand(e.user()) + " (then run the tests as " + e.user() + " again)"), null,
                    Optional.empty(), restore);
        } catch (CgroupException e) {
            return new HostSupport(HostProbe.unavailable("no usable cgroup hierarchy: " + e.getMessage()), null,
                    Optional.empty(), restore);
        }
    }

    /** How {@code spec}'s sandbox is launched here; its class path comes from the calling thread's class loader. */
    public LaunchPlan plan(SandboxSpec spec) {
        return plans.computeIfAbsent(spec, each -> LaunchPlan.of(each, probe.rootless(), classDataSharing));
    }

    /** Why this host cannot run {@code plan} enforced, with the fix; empty when it can. */
    public Optional<String> cannotEnforce(LaunchPlan plan) {
        return probe.cannotLaunch(plan).or(() -> privilegeUnguardedRootless(plan)).or(() -> cgroups.cannotEnforce(plan.limits()));
    }

    /**
     * Where the kernel does not guard a cgroup namespace's root (cgroup v1, or v2 without
     * {@code nsdelegate}), nothing but the sandbox's read-only cgroupfs and its lack of
     * capabilities keeps it from its limit files, which belong to the test JVM's user: a privileged
     * sandbox, or one that keeps SYS_ADMIN, could remount that cgroupfs writable.
     */
    private Optional<String> privilegeUnguardedRootless(LaunchPlan plan) {
        if (!probe.rootless() || cgroups.kernelGuardsNamespaceRoots()) {
            return Optional.empty();
        }
        String declared = plan.spec().get(Attribute.PRIVILEGED).orElse(false) ? "privileged = true"
                : plan.spec().get(Attribute.CAPABILITIES).orElse(List.of()).stream()
                        .anyMatch(name -> Capability.named(name).orElse(null) == Capability.SYS_ADMIN)
                        ? "capabilities = SYS_ADMIN" : null;
        return declared == null ? Optional.empty()
                : Optional.of(declared + " in a sandbox of a non-root test JVM on " + (cgroups.version() == CgroupVersion.V1
                        ? "cgroup v1" : "cgroup v2 mounted without nsdelegate") + " would let it remount the cgroupfs"
                        + " writable and raise its own limits, whose files belong to this user: drop it, run on cgroup v2"
                        + " mounted with nsdelegate (its cgroup namespace then guards a sandbox's limits) or run the tests"
                        + " as root");
    }

    /** Where this run's sandboxes are made and why this user may make them there, for the run's summary. */
    public String sandboxesWhere() {
        return cgroups == null ? "no sandboxes: " + probe.unavailable().orElse("")
                : cgroups.describe() + " (" + cgroups.delegation() + ")" + templates.describe().map(how -> "; " + how).orElse("");
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

    WarmTemplates templates() {
        return templates;
    }

    @Override
    public void close() {
        spares.close();
        if (cgroups != null) {
            cgroups.close();
        }
    }
}
