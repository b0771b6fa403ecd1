package dev.belljar.linux.cgroup;

import dev.belljar.linux.host.Mountinfo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
