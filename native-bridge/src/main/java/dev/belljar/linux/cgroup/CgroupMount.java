package dev.belljar.linux.cgroup;

import dev.belljar.linux.host.Mountinfo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A cgroup filesystem mount from {@code /proc/self/mountinfo}.
 *
 * @param root        the cgroup shown at the mount point (mountinfo field 4; not "/" inside a
 *                    container that bind-mounts only its own part of the hierarchy)
 * @param mountPoint  where it is mounted (field 5), as this process sees it
 * @param v2          {@code cgroup2} rather than {@code cgroup}
 * @param options     the super options (after the {@code -} separator): controller names on v1
 */
record CgroupMount(String root, String mountPoint, boolean v2, Set<String> options) {

    /** Every cgroup and cgroup2 mount listed in a mountinfo file, in file order. */
    static List<CgroupMount> readAll(Path mountinfo) {
        List<Mountinfo.Mount> all;
        try {
            all = Mountinfo.read(mountinfo);
        } catch (IOException e) {
            throw new CgroupException("cannot read " + mountinfo + ": " + ControlFiles.reason(e), e);
        }
        List<CgroupMount> mounts = new ArrayList<>();
        for (Mountinfo.Mount mount : all) {
            if (mount.fsType().equals("cgroup") || mount.fsType().equals("cgroup2")) {
                mounts.add(new CgroupMount(mount.root(), mount.mountPoint(), mount.fsType().equals("cgroup2"),
                        new TreeSet<>(mount.superOptions())));
            }
        }
        return mounts;
    }

    /**
     * The mount of the unified hierarchy in effect. mountinfo lists mounts in the order they were
     * made, and a later one shadows an earlier one (inside a cgroup namespace the cgroupfs is
     * mounted again over the host's).
     */
    static Optional<CgroupMount> unified(List<CgroupMount> mounts) {
        return mounts.stream().filter(CgroupMount::v2).reduce((earlier, later) -> later);
    }

    /** The mount in effect of the v1 hierarchy that holds {@code controller}, as {@link #unified} picks it. */
    static Optional<CgroupMount> v1Hierarchy(List<CgroupMount> mounts, String controller) {
        return mounts.stream().filter(mount -> !mount.v2() && mount.options().contains(controller))
                .reduce((earlier, later) -> later);
    }

    /** The directory of this process's own cgroup in this hierarchy, as {@code self} lists it. */
    Path ownDirectory(ProcCgroups self, Path hostRoot) {
        String path = (v2 ? self.v2Path() : self.v1Path(options)).orElseThrow(() -> new CgroupException(v2
                ? "cgroup2 is mounted at " + mountPoint + " but /proc/self/cgroup has no 0::/path line"
                : "the cgroup v1 hierarchy mounted at " + mountPoint + " (" + String.join(",", options)
                        + ") has no line in /proc/self/cgroup"));
        return directoryOf(path, hostRoot);
    }

    /**
     * The directory of {@code cgroupPath} (as listed in {@code /proc/self/cgroup}) under this mount,
     * with {@code hostRoot} standing for "/" (tests use a fake tree).
     */
    Path directoryOf(String cgroupPath, Path hostRoot) {
        String relative;
        if (root.equals("/")) {
            relative = cgroupPath;
        } else if (cgroupPath.equals(root) || cgroupPath.startsWith(root + "/")) {
            relative = cgroupPath.substring(root.length());
        } else {
            throw new CgroupException("this process's cgroup " + cgroupPath + " (from /proc/self/cgroup) is outside "
                    + root + ", the part of the hierarchy mounted at " + mountPoint
                    + ": configure the sandbox parent cgroup explicitly");
        }
        return mountDirectory(hostRoot).resolve(relative.replaceFirst("^/+", ""));
    }

    Path mountDirectory(Path hostRoot) {
        return hostRoot.resolve(mountPoint.substring(1));
    }
}
