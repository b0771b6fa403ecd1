package dev.belljar.linux.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
        List<String> lines;
        try {
            lines = Files.readAllLines(mountinfo);
        } catch (IOException e) {
            throw new CgroupException("cannot read " + mountinfo + ": " + ControlFiles.reason(e), e);
        }
        List<CgroupMount> mounts = new ArrayList<>();
        for (String line : lines) {
            // 35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:5 - cgroup cgroup rw,memory
            String[] halves = line.split(" - ", 2);
            String[] fields = halves[0].split(" ");
            String[] fsFields = halves.length == 2 ? halves[1].split(" ") : new String[0];
            if (fields.length < 5 || fsFields.length < 3) {
                continue;
            }
            String fsType = fsFields[0];
            if (fsType.equals("cgroup") || fsType.equals("cgroup2")) {
                mounts.add(new CgroupMount(unescape(fields[3]), unescape(fields[4]), fsType.equals("cgroup2"),
                        new TreeSet<>(Arrays.asList(fsFields[2].split(",")))));
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

    /** mountinfo writes space, tab, newline and backslash in paths as octal escapes ({@code \040}). */
    static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
