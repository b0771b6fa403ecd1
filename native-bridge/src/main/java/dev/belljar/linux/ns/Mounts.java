package dev.belljar.linux.ns;

import dev.belljar.linux.host.Mountinfo;
import dev.belljar.linux.host.Mountinfo.Mount;
import dev.belljar.linux.libc.NativeException;
import dev.belljar.linux.libc.Syscalls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The mounts a sandbox process makes in its own (private) mount namespace, after exec: a
 * read-only host, writable exceptions, fresh tmpfs, hidden paths, its own cgroupfs. Nothing here
 * reaches the host's mount table: {@code unshare --mount} made every mount private.
 */
public final class Mounts {
    private static final int ENOSYS = 38;
    private static final long MS_NOEXEC = 0x8;
    private static final long MS_NOATIME = 0x400;
    private static final long MS_NODIRATIME = 0x800;
    private static final long MS_RELATIME = 0x200000;
    private static final long MS_STRICTATIME = 0x1000000;
    private Mounts() {
    }

    /** {@code path} and everything mounted below it becomes read-only; {@code "/"} makes the whole host read-only. */
    public static void readOnly(Path path) {
        String target = path.toString();
        Syscalls.mount(target, target, null, Syscalls.MS_BIND | Syscalls.MS_REC, null);
        setReadOnly(target, true);
    }

    /** {@code path}, below a read-only path, becomes writable again (with what is mounted below it). */
    public static void writable(Path path) {
        String target = path.toString();
        Syscalls.mount(target, target, null, Syscalls.MS_BIND | Syscalls.MS_REC, null);
        setReadOnly(target, false);
    }

    /**
     * In one call where the kernel has mount_setattr (Linux 5.12+); before, each mount at or below
     * {@code target} is remounted on its own, with the flags it has (a remount that dropped one of
     * them would be refused where the mount is locked, in a user namespace).
     */
    private static void setReadOnly(String target, boolean readOnly) {
        try {
            Syscalls.setReadOnlyRecursively(target, readOnly);
        } catch (NativeException e) {
            if (e.errno() != ENOSYS) {
                throw e;
            }
            for (Mount mount : atOrBelow(target, mountsOfThisProcess())) {
                Syscalls.mount(null, mount.mountPoint(), null, Syscalls.MS_REMOUNT | Syscalls.MS_BIND
                        | (readOnly ? Syscalls.MS_RDONLY : 0) | keptFlags(mount.mountOptions()), null);
            }
        }
    }

    private static List<Mount> mountsOfThisProcess() {
        try {
            return Mountinfo.read(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
    }

    /** The mounts at {@code target} and below it, in the order they were made. */
    static List<Mount> atOrBelow(String target, List<Mount> mounts) {
        String path = target.length() > 1 && target.endsWith("/") ? target.substring(0, target.length() - 1) : target;
        String prefix = path.endsWith("/") ? path : path + "/";
        return mounts.stream().filter(m -> m.mountPoint().equals(path) || m.mountPoint().startsWith(prefix)).toList();
    }

    /** The per-mount flags other than read-only that a remount must repeat to keep them. */
    static long keptFlags(List<String> mountOptions) {
        long flags = 0;
        for (String option : mountOptions) {
            flags |= switch (option) {
                case "nosuid" -> Syscalls.MS_NOSUID;
                case "nodev" -> Syscalls.MS_NODEV;
                case "noexec" -> MS_NOEXEC;
                case "noatime" -> MS_NOATIME;
                case "nodiratime" -> MS_NODIRATIME;
                case "relatime" -> MS_RELATIME;
                case "strictatime" -> MS_STRICTATIME;
                default -> 0;
            };
        }
        return flags;
    }

    /**
     * A fresh, empty tmpfs of at most {@code sizeBytes} over the directory {@code path}, with the
     * paths of {@code keepVisible} that lie below it bound back on top, read-only (the class path
     * and JDK of a JVM that runs on: a fresh /tmp wherever the project lives).
     */
    public static void tmpfs(Path path, long sizeBytes, List<Path> keepVisible) {
        List<Path> kept = below(path, keepVisible);
        List<Integer> handles = openAll(kept);
        try {
            Syscalls.mount("tmpfs", path.toString(), "tmpfs", Syscalls.MS_NOSUID | Syscalls.MS_NODEV,
                    "size=" + sizeBytes + ",mode=1777");
            bindBack(kept, handles);
        } finally {
            handles.forEach(Syscalls::close);
        }
    }

    /**
     * The paths of {@code candidates} strictly below {@code cover}, without those below another
     * of them (a recursive bind takes them along), in order.
     */
    static List<Path> below(Path cover, List<Path> candidates) {
        List<Path> inside = candidates.stream().map(Path::normalize).filter(p -> p.startsWith(cover) && !p.equals(cover))
                .distinct().sorted().toList();
        List<Path> outermost = new ArrayList<>();
        for (Path candidate : inside) {
            if (outermost.stream().noneMatch(candidate::startsWith) && Files.exists(candidate)) {
                outermost.add(candidate);
            }
        }
        return outermost;
    }

    private static List<Integer> openAll(List<Path> paths) {
        List<Integer> handles = new ArrayList<>();
        try {
            for (Path path : paths) {
                handles.add(Syscalls.openPath(path.toString()));
            }
        } catch (RuntimeException e) {
            handles.forEach(Syscalls::close);
            throw e;
        }
        return handles;
    }

    /** Each path, reached through its handle from before the cover, is bound back over a new mount point, read-only. */
    private static void bindBack(List<Path> kept, List<Integer> handles) {
        for (int i = 0; i < kept.size(); i++) {
            Path target = kept.get(i);
            String source = "/proc/self/fd/" + handles.get(i);
            try {
                Files.createDirectories(target.getParent());
                if (Files.isDirectory(Path.of(source))) {
                    Files.createDirectories(target);
                } else if (!Files.exists(target)) {
                    Files.createFile(target);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make the mount point " + target + " to keep it visible", e);
            }
            Syscalls.mount(source, target.toString(), null, Syscalls.MS_BIND | Syscalls.MS_REC, null);
            setReadOnly(target.toString(), true);
        }
    }

    /**
     * Makes {@code path} empty and unreadable: a directory gets an empty read-only tmpfs with mode
     * 000 over it, a file an empty mode-000 file ({@code emptyFile}) bound over it. (A process
     * that keeps {@code DAC_READ_SEARCH} can still list the empty directory; there is nothing in it.)
     */
    public static void hide(Path path, Path emptyFile, List<Path> keepVisible) {
        String target = path.toString();
        List<Path> kept = Files.isDirectory(path) ? below(path, keepVisible) : List.of();
        if (!kept.isEmpty()) {
            // What must stay visible is bound back into a tmpfs that can be traversed (0111) but not listed.
            List<Integer> handles = openAll(kept);
            try {
                long flags = Syscalls.MS_NOSUID | Syscalls.MS_NODEV;
                Syscalls.mount("tmpfs", target, "tmpfs", flags, "size=1m,mode=0111");
                bindBack(kept, handles);
                Syscalls.mount(null, target, null, Syscalls.MS_REMOUNT | Syscalls.MS_RDONLY | flags, null);
            } finally {
                handles.forEach(Syscalls::close);
            }
        } else if (Files.isDirectory(path)) {
            Syscalls.mount("tmpfs", target, "tmpfs", Syscalls.MS_NOSUID | Syscalls.MS_NODEV | Syscalls.MS_RDONLY,
                    "size=0,mode=000");
        } else if (Files.exists(path)) {
            Syscalls.mount(emptyFile.toString(), target, null, Syscalls.MS_BIND, null);
            Syscalls.mount(null, target, null, Syscalls.MS_REMOUNT | Syscalls.MS_BIND | Syscalls.MS_RDONLY, null);
        }
    }

    /** Kernel interfaces that stay visible but read-only, as runc's default spec has them. */
    private static final List<String> READ_ONLY_KERNEL_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq",
            "/proc/sys", "/proc/sysrq-trigger", "/sys");
    /** Kernel interfaces covered with nothing, as runc's default spec has them: memory, keys, timers, firmware. */
    private static final List<String> MASKED_KERNEL_PATHS = List.of("/proc/acpi", "/proc/asound", "/proc/kcore",
            "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
            "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");

    /**
     * Makes the kernel's interfaces that reach beyond the sandbox read-only ({@code /proc/sys},
     * {@code /sys} with the cgroup filesystems below it, ...) and masks those that show the host's
     * memory, keys and timers ({@code /proc/kcore}, ...). Paths this kernel lacks are skipped. Call
     * it after every other mount: a mount made later could cover what it protects.
     */
    public static void protectKernelFiles() {
        for (String masked : MASKED_KERNEL_PATHS) {
            Path path = Path.of(masked);
            if (Files.isDirectory(path)) {
                Syscalls.mount("tmpfs", masked, "tmpfs", Syscalls.MS_NOSUID | Syscalls.MS_NODEV | Syscalls.MS_RDONLY,
                        "size=0,mode=000");
            } else if (Files.exists(path)) {
                Syscalls.mount("/dev/null", masked, null, Syscalls.MS_BIND, null);
                Syscalls.mount(null, masked, null, Syscalls.MS_REMOUNT | Syscalls.MS_BIND | Syscalls.MS_RDONLY, null);
            }
        }
        for (String readOnly : READ_ONLY_KERNEL_PATHS) {
            if (Files.exists(Path.of(readOnly))) {
                readOnly(Path.of(readOnly));
            }
        }
    }

    /**
     * Remounts the cgroup filesystems at {@code /sys/fs/cgroup} so that, in a new cgroup namespace,
     * the process reads its own cgroup as the root: cgroup2 on a v2 host; on a v1 or hybrid host a
     * tmpfs with each v1 hierarchy of the host (same controllers) mounted again.
     */
    public static void cgroupfsOfThisNamespace(Path mountinfo) {
        List<Mount> hierarchies;
        try {
            hierarchies = Mountinfo.read(mountinfo).stream()
                    .filter(mount -> mount.fsType().equals("cgroup") || mount.fsType().equals("cgroup2"))
                    .filter(mount -> mount.mountPoint().startsWith("/sys/fs/cgroup"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + mountinfo, e);
        }
        long flags = Syscalls.MS_NOSUID | Syscalls.MS_NODEV;
        boolean unifiedOnly = hierarchies.stream()
                .anyMatch(h -> h.fsType().equals("cgroup2") && h.mountPoint().equals("/sys/fs/cgroup"));
        // A tmpfs first: the kernel refuses (EBUSY) to mount a filesystem right on top of itself.
        Syscalls.mount("tmpfs", "/sys/fs/cgroup", "tmpfs", flags, "mode=755");
        if (unifiedOnly) {
            Syscalls.mount("cgroup2", "/sys/fs/cgroup", "cgroup2", flags, null);
            return;
        }
        for (Mount hierarchy : hierarchies) {
            createDirectories(Path.of(hierarchy.mountPoint()));
            boolean v1 = hierarchy.fsType().equals("cgroup");
            Syscalls.mount(hierarchy.fsType(), hierarchy.mountPoint(), hierarchy.fsType(), flags,
                    v1 ? controllers(hierarchy) : null);
        }
    }

    /** The super options of a v1 hierarchy without {@code rw}/{@code ro}: its controllers and flags. */
    private static String controllers(Mount hierarchy) {
        return hierarchy.superOptions().stream().filter(option -> !option.equals("rw") && !option.equals("ro"))
                .collect(Collectors.joining(",")).toLowerCase(Locale.ROOT);
    }

    private static void createDirectories(Path path) {
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the mount point " + path, e);
        }
    }
}
