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

    private final CgroupHost host;
    private final boolean hostHasSwap;

    CgroupManager(CgroupHost host, boolean hostHasSwap) {
        this.host = host;
        this.hostHasSwap = hostHasSwap;
    }

    /**
     * Detects the cgroup interface of this host from {@code /proc/self/mountinfo} and
     * {@code /proc/self/cgroup}.
     *
     * @param configuredParent where sandboxes go instead of beneath this process's own cgroup. On
     *        v2 a directory in the cgroup2 mount (a relative path is resolved against the mount
     *        point). On v1 a relative path appended to each controller's mount point: {@code belljar}
     *        means {@code /sys/fs/cgroup/memory/belljar}, {@code /sys/fs/cgroup/cpu/belljar}, ...
     *        A configured parent that does not exist is created on first use and left in place.
     * @throws CgroupException when no cgroup filesystem is mounted or this process's cgroup is not visible
     */
    public static CgroupManager detect(Optional<Path> configuredParent) {
        return detect(configuredParent, Path.of("/proc/self/mountinfo"), Path.of("/proc/self/cgroup"),
                Path.of("/proc/swaps"), Path.of("/"));
    }

    /** @param hostRoot what "/" of the mount points stands for: a fake tree in tests */
    static CgroupManager detect(Optional<Path> configuredParent, Path mountinfo, Path procSelfCgroup,
            Path procSwaps, Path hostRoot) {
        List<CgroupMount> mounts = CgroupMount.readAll(mountinfo);
        ProcCgroups self = ProcCgroups.read(procSelfCgroup);
        // mountinfo lists mounts in the order they were made: a later one shadows an earlier one
        // (inside a cgroup namespace the cgroupfs is mounted again over the host's).
        Optional<CgroupMount> unified = mounts.stream().filter(CgroupMount::v2).reduce((earlier, later) -> later);
        Map<String, CgroupMount> v1 = new LinkedHashMap<>();
        for (String controller : CgroupV1.CONTROLLERS) {
            mounts.stream().filter(mount -> !mount.v2() && mount.options().contains(controller))
                    .reduce((earlier, later) -> later).ifPresent(mount -> v1.put(controller, mount));
        }
        ControlFiles files = ControlFiles.real();
        BlockDevices devices = new BlockDevices(mountinfo, hostRoot.resolve("sys/dev/block"), BlockDevices::rdev);
        CgroupHost host;
        if (v1.containsKey("memory") || !v1.isEmpty() && unified.isEmpty()) {
            Map<String, Path> parents = new LinkedHashMap<>();
            v1.forEach((controller, mount) -> parents.put(controller,
                    v1Parent(mount, configuredParent, self, hostRoot)));
            host = new V1Host(parents, unified.isPresent(), files, KILL_TIMEOUT, devices);
        } else if (unified.isPresent()) {
            host = new V2Host(v2Parent(unified.get(), configuredParent, self, hostRoot), files, KILL_TIMEOUT, devices);
        } else {
            throw new CgroupException("no cgroup filesystem is mounted (no cgroup or cgroup2 line in " + mountinfo
                    + "): Belljar cannot limit or account a sandbox on this host");
        }
        return new CgroupManager(host, hasSwap(procSwaps));
    }

    private static Path v1Parent(CgroupMount mount, Optional<Path> configured, ProcCgroups self, Path hostRoot) {
        if (configured.isPresent()) {
            if (configured.get().isAbsolute()) {
                throw new CgroupException("on cgroup v1 the configured sandbox parent must be a relative path, appended"
                        + " to each controller's mount point (e.g. belljar), not " + configured.get());
            }
            return mount.mountDirectory(hostRoot).resolve(configured.get());
        }
        String path = self.v1Path(mount.options()).orElseThrow(() -> new CgroupException(
                "the cgroup v1 hierarchy mounted at " + mount.mountPoint() + " (" + String.join(",", mount.options())
                        + ") has no line in /proc/self/cgroup"));
        return mount.directoryOf(path, hostRoot);
    }

    private static Path v2Parent(CgroupMount mount, Optional<Path> configured, ProcCgroups self, Path hostRoot) {
        if (configured.isPresent()) {
            return mount.mountDirectory(hostRoot).resolve(configured.get());
        }
        String path = self.v2Path().orElseThrow(() -> new CgroupException(
                "cgroup2 is mounted at " + mount.mountPoint() + " but /proc/self/cgroup has no 0::/path line"));
        Path own = mount.directoryOf(path, hostRoot);
        // A manager of this or another JVM moved this process into the leaf: sandboxes are its siblings.
        return own.getFileName() != null && own.getFileName().toString().equals(V2Host.HOST_LEAF) ? own.getParent() : own;
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
