package dev.belljar.linux.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Creates sandbox cgroups on this host. Detected once per JVM: cgroup v2, v1, or a v1/v2 hybrid
 * (v1 controller hierarchies next to a cgroup2 mount without controllers), which is used as v1.
 *
 * <p>Sandboxes are created beneath the cgroup this process is in (per hierarchy on v1), or beneath
 * a configured parent. {@link #close()} undoes what the manager changed on the host: on v2 the
 * controllers it delegated and the move of the parent's processes into {@code belljar-host}.
 */
public final class CgroupManager implements AutoCloseable {

    /** How long {@link Cgroup#killAll()} waits for the kernel to freeze, kill and reap. */
    static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);

    /** One path segment, so that a name never reaches outside the parent cgroup. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Path PROC_SELF_CGROUP = Path.of("/proc/self/cgroup");

    private final CgroupHost host;
    private final boolean hostHasSwap;
    private final String delegation;
    private final boolean namespaceDelegation;

    CgroupManager(CgroupHost host, boolean hostHasSwap) {
        this(host, hostHasSwap, "", false);
    }

    private CgroupManager(CgroupHost host, boolean hostHasSwap, String delegation, boolean namespaceDelegation) {
        this.host = host;
        this.hostHasSwap = hostHasSwap;
        this.delegation = delegation;
        this.namespaceDelegation = namespaceDelegation;
    }

    /**
     * Whether the kernel itself keeps a process in a cgroup namespace from the limits of the
     * namespace's root and from cgroups above it: cgroup v2 mounted with {@code nsdelegate}
     * (systemd mounts it so). Elsewhere only a read-only cgroupfs and missing capabilities do.
     */
    public boolean kernelGuardsNamespaceRoots() {
        return namespaceDelegation;
    }

    /**
     * How this user came to make sandboxes where it does: as root beneath its own cgroup, in the
     * configured parent, in its own delegated cgroup, or in the subtree Belljar's setup made.
     */
    public String delegation() {
        return delegation;
    }

    /**
     * Detects the cgroup interface of this host from {@code /proc/self/mountinfo} and
     * {@code /proc/self/cgroup}, for this process's user.
     *
     * @param configuredParent where sandboxes go instead of beneath this process's own cgroup. On
     *        v2 a directory in the cgroup2 mount (a relative path is resolved against the mount
     *        point). On v1 a relative path appended to each controller's mount point: {@code belljar}
     *        means {@code /sys/fs/cgroup/memory/belljar}, {@code /sys/fs/cgroup/cpu/belljar}, ...
     *        A configured parent that does not exist is created on first use and left in place.
     * @throws NotDelegatedException when this process is not root and no cgroup subtree is delegated to it
     * @throws CgroupException when no cgroup filesystem is mounted or this process's cgroup is not visible
     */
    public static CgroupManager detect(Optional<Path> configuredParent) {
        CgroupUser user = CgroupUser.current();
        try {
            return detectHere(configuredParent, user);
        } catch (NotDelegatedException notDelegated) {
            // Last: the user's systemd manager, which delegates a scope it makes around this process.
            if (!notDelegated.unified() || configuredParent.isPresent()) {
                throw notDelegated;
            }
            String scope = SystemdScope.moveThisProcess(PROC_SELF_CGROUP).orElseThrow(() -> notDelegated);
            CgroupManager inScope = detectHere(configuredParent, user);
            return new CgroupManager(inScope.host, inScope.hostHasSwap, "the systemd scope " + scope
                    + " (Delegate=yes) that the systemd manager of " + user.describe() + " made for this JVM",
                    inScope.namespaceDelegation);
        }
    }

    /**
     * The cgroups this process is in, to read its own accounting ({@link #ownStats()}) whoever it
     * runs as: a sandbox's process reads its own cgroup, which it may not write.
     */
    public static CgroupManager ofThisProcess() {
        return detectHere(Optional.empty(), CgroupUser.reader());
    }

    private static CgroupManager detectHere(Optional<Path> configuredParent, CgroupUser user) {
        return detect(configuredParent, Path.of("/proc/self/mountinfo"), PROC_SELF_CGROUP, Path.of("/proc/swaps"),
                Path.of("/"), user);
    }

    /** @param hostRoot what "/" of the mount points stands for: a fake tree in tests */
    static CgroupManager detect(Optional<Path> configuredParent, Path mountinfo, Path procSelfCgroup,
            Path procSwaps, Path hostRoot, CgroupUser user) {
        List<CgroupMount> mounts = CgroupMount.readAll(mountinfo);
        ProcCgroups self = ProcCgroups.read(procSelfCgroup);
        Optional<CgroupMount> unified = CgroupMount.unified(mounts);
        Map<String, CgroupMount> v1 = new LinkedHashMap<>();
        for (String controller : CgroupV1.CONTROLLERS) {
            CgroupMount.v1Hierarchy(mounts, controller).ifPresent(mount -> v1.put(controller, mount));
        }
        ControlFiles files = ControlFiles.real();
        BlockDevices devices = new BlockDevices(mountinfo, hostRoot.resolve("sys/dev/block"), BlockDevices::rdev);
        CgroupHost host;
        String delegation;
        boolean namespaceDelegation = false;
        if (v1.containsKey("memory") || !v1.isEmpty() && unified.isEmpty()) {
            Map<String, Path> parents = new LinkedHashMap<>();
            Map<String, String> how = new LinkedHashMap<>();
            v1.forEach((controller, mount) -> {
                Path own = mount.ownDirectory(self, hostRoot);
                v1Parent(mount, own, configuredParent, hostRoot, user).ifPresent(parent -> {
                    parents.put(controller, parent.directory());
                    how.put(controller, parent.how());
                });
            });
            if (!user.root() && v1.containsKey("memory") && !parents.containsKey("memory")) {
                Path own = v1.get("memory").ownDirectory(self, hostRoot);
                throw new NotDelegatedException(user.name(), false, "no cgroup of the memory hierarchy is delegated to "
                        + user.describe() + ": neither its own cgroup " + own + " nor " + own.resolve(user.setupSubtree())
                        + (configuredParent.isPresent() ? " nor the configured parent " + configuredParent.get() : "")
                        + " is writable by it, so its sandboxes could not be limited");
            }
            host = new V1Host(parents, unified.isPresent(), files, KILL_TIMEOUT, devices);
            delegation = how.values().stream().distinct().count() == 1 ? how.values().iterator().next() : how.toString();
        } else if (unified.isPresent()) {
            Path own = v2Own(unified.get(), self, hostRoot);
            SandboxParent parent = v2Parent(unified.get(), own, configuredParent, hostRoot, user);
            host = new V2Host(parent.directory(), files, KILL_TIMEOUT, devices);
            delegation = parent.how();
            namespaceDelegation = unified.get().options().contains("nsdelegate");
        } else {
            throw new CgroupException("no cgroup filesystem is mounted (no cgroup or cgroup2 line in " + mountinfo
                    + "): Belljar cannot limit or account a sandbox on this host");
        }
        return new CgroupManager(host, hasSwap(procSwaps), delegation, namespaceDelegation);
    }

    /** Where a hierarchy's sandboxes go, and how this user came to be allowed there. */
    private record SandboxParent(Path directory, String how) {
    }

    /** Empty when this hierarchy is not delegated to a non-root user: its controller is then unavailable. */
    private static Optional<SandboxParent> v1Parent(CgroupMount mount, Path own, Optional<Path> configured,
            Path hostRoot, CgroupUser user) {
        if (configured.isPresent()) {
            if (configured.get().isAbsolute()) {
                throw new CgroupException("on cgroup v1 the configured sandbox parent must be a relative path, appended"
                        + " to each controller's mount point (e.g. belljar), not " + configured.get());
            }
            Path parent = mount.mountDirectory(hostRoot).resolve(configured.get());
            return user.root() || delegatedOrCreatable(parent, user)
                    ? Optional.of(new SandboxParent(parent, "the configured parent (belljar.cgroup.parent)"))
                    : Optional.empty();
        }
        if (user.root()) {
            return Optional.of(new SandboxParent(own, "beneath the test JVM's own cgroup, as root"));
        }
        // On v1 a user may move its own processes into any cgroup whose cgroup.procs it may write.
        if (user.owns(own)) {
            return Optional.of(new SandboxParent(own, "the test JVM's own cgroup, delegated to " + user.describe()));
        }
        Path setup = own.resolve(user.setupSubtree());
        return user.owns(setup)
                ? Optional.of(new SandboxParent(setup, user.setupSubtree() + ", made for " + user.describe()
                        + " by Belljar's setup"))
                : Optional.empty();
    }

    private static Path v2Own(CgroupMount mount, ProcCgroups self, Path hostRoot) {
        Path own = mount.ownDirectory(self, hostRoot);
        // A manager of this or another JVM moved this process into the leaf: sandboxes are its siblings.
        return own.getFileName() != null && own.getFileName().toString().equals(V2Host.HOST_LEAF) ? own.getParent() : own;
    }

    private static SandboxParent v2Parent(CgroupMount mount, Path own, Optional<Path> configured, Path hostRoot,
            CgroupUser user) {
        if (configured.isPresent()) {
            Path parent = mount.mountDirectory(hostRoot).resolve(configured.get());
            if (!user.root()) {
                if (!delegatedOrCreatable(parent, user)) {
                    throw new NotDelegatedException(user.name(), true, "the configured sandbox parent " + parent
                            + " (belljar.cgroup.parent) is not delegated to " + user.describe()
                            + ": it may not make cgroups there or move processes into them");
                }
                // cgroup v2 lets a user move a process only if it may write cgroup.procs of the
                // nearest cgroup above both the process's cgroup and the target.
                Path common = commonAncestor(own, parent);
                if (!user.writable().test(common.resolve("cgroup.procs"))) {
                    throw new NotDelegatedException(user.name(), true, "the test JVM runs in " + own + ", outside the configured"
                            + " sandbox parent " + parent + ": cgroup v2 lets " + user.describe() + " move a process"
                            + " only beneath a cgroup whose cgroup.procs it may write, and " + common + " is not"
                            + " delegated to it; start the test JVM inside " + parent);
                }
            }
            return new SandboxParent(parent, "the configured parent (belljar.cgroup.parent)");
        }
        if (user.root()) {
            return new SandboxParent(own, "beneath the test JVM's own cgroup, as root");
        }
        if (user.owns(own) && user.writable().test(own.resolve("cgroup.subtree_control"))) {
            return new SandboxParent(own, "the test JVM's own cgroup, delegated to " + user.describe());
        }
        throw new NotDelegatedException(user.name(), true, "the test JVM's cgroup " + own + " is not delegated to "
                + user.describe() + " (it may not write its cgroup.procs and cgroup.subtree_control), and no"
                + " parent is configured (belljar.cgroup.parent): its sandboxes could not be limited");
    }

    private static boolean delegatedOrCreatable(Path parent, CgroupUser user) {
        return Files.isDirectory(parent) ? user.owns(parent) : user.writable().test(CgroupHost.nearestExisting(parent));
    }

    private static Path commonAncestor(Path a, Path b) {
        Path common = a;
        while (!b.startsWith(common)) {
            common = common.getParent();
        }
        return common;
    }

    /** {@code /proc/swaps} is a header line plus one line per active swap area. */
    private static boolean hasSwap(Path procSwaps) {
        try {
            return Files.exists(procSwaps) && Files.readAllLines(procSwaps).stream().skip(1).anyMatch(l -> !l.isBlank());
        } catch (IOException e) {
            throw new CgroupException("cannot read " + procSwaps + ": " + ControlFiles.reason(e), e);
        }
    }

    /**
     * Accounting of the cgroup this process is in (or of the configured parent): read by a process
     * inside a sandbox to see its own usage.
     */
    public CgroupStats ownStats() {
        return host.parentStats();
    }

    /**
     * Whether sandboxes here report pressure stall information: cgroup v2 keeps it per cgroup
     * wherever the kernel has PSI; mainline v1 never does (some vendor kernels add it to cpuacct).
     */
    public boolean reportsPressure() {
        return host.version() == CgroupVersion.V2 ? Files.exists(Path.of("/proc/pressure/cpu"))
                : host.parents().stream().anyMatch(parent -> Files.exists(parent.resolve("cpu.pressure")));
    }

    public CgroupVersion version() {
        return host.version();
    }

    /** One line for logs and reports, e.g. "cgroup v1 (hybrid): memory at /sys/fs/cgroup/memory/x, cpu at ...". */
    public String describe() {
        return host.describe();
    }

    /**
     * The controllers a sandbox would use that this host does not offer (v1: memory, cpu, cpuacct,
     * pids, freezer, blkio, cpuset; v2: memory, cpu, pids, io, cpuset). A sandbox works without any but memory;
     * limits that need a missing one are refused by {@link #cannotEnforce}.
     */
    public Set<String> missingControllers() {
        return host.missingControllers();
    }

    /**
     * Why this host cannot enforce {@code limits}, for a test to be aborted with; empty when it can.
     * Several reasons are joined with "; ".
     */
    public Optional<String> cannotEnforce(CgroupLimits limits) {
        List<String> reasons = host.cannotEnforce(limits, hostHasSwap);
        return reasons.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", reasons));
    }

    /**
     * Creates an empty sandbox cgroup without limits.
     *
     * @param name one path segment, by convention {@code belljar-<id>}
     * @throws CgroupException naming the directory and the error when it cannot be created
     */
    public Cgroup create(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("cgroup name '" + name + "' must be one path segment of letters,"
                    + " digits, '.', '_' and '-', e.g. belljar-4711-3");
        }
        return host.create(name);
    }

    /**
     * The sandboxes beneath this manager's parent cgroup(s) whose test JVM is gone, together with
     * the directories of the same name in {@code sameNamedIn} (e.g. the work dirs in the temporary directory).
     */
    public Leftovers leftovers(List<Path> sameNamedIn) {
        return new Leftovers(host, sameNamedIn, SandboxOwners.real());
    }

    /**
     * Starts the process that removes this JVM's sandboxes (and the directories of the same name
     * in {@code sameNamedIn}) should the JVM die without doing it; closing it ends it untouched.
     *
     * @throws CgroupException when it cannot be started
     */
    public Watchdog startWatchdog(List<Path> sameNamedIn) {
        return Watchdog.start(host, sameNamedIn);
    }

    /** Undoes the manager's changes to the host, best effort: where a sandbox is left they stay. */
    @Override
    public void close() {
        host.close();
    }

    @Override
    public String toString() {
        return describe();
    }
}
