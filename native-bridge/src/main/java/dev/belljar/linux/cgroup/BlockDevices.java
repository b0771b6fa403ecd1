package dev.belljar.linux.cgroup;

import dev.belljar.linux.host.Mountinfo;
import dev.belljar.linux.host.Mountinfo.Mount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Finds the whole disk ({@code MAJ:MIN}) that backs a path: a block device file stands for
 * itself; any other path for the device of the file system it is on (mountinfo field 3), or, where
 * that number is anonymous (btrfs), the device file named as the mount's source. A partition maps
 * to its disk, as the kernel throttles disks only.
 */
final class BlockDevices {

    private final Path mountinfo;
    private final Path sysDevBlock;
    /** The device number of a block device file ({@code st_rdev}); empty for any other path. */
    private final Function<Path, OptionalLong> blockDeviceNumber;

    BlockDevices(Path mountinfo, Path sysDevBlock, Function<Path, OptionalLong> blockDeviceNumber) {
        this.mountinfo = mountinfo;
        this.sysDevBlock = sysDevBlock;
        this.blockDeviceNumber = blockDeviceNumber;
    }

    static BlockDevices real() {
        return new BlockDevices(Path.of("/proc/self/mountinfo"), Path.of("/sys/dev/block"), BlockDevices::rdev);
    }

    /** @throws CgroupException naming the path, its file system and why it has no disk */
    String diskOf(Path path) {
        OptionalLong rdev = blockDeviceNumber.apply(path);
        if (rdev.isPresent()) {
            return wholeDisk(format(rdev.getAsLong()));
        }
        Path real = realPath(path);
        Mount mount = mountOf(real);
        if (!mount.majorMinor().startsWith("0:") && Files.isDirectory(sysDevBlock.resolve(mount.majorMinor()))) {
            return wholeDisk(mount.majorMinor());
        }
        if (mount.source().startsWith("/")) {
            OptionalLong source = blockDeviceNumber.apply(Path.of(mount.source()));
            if (source.isPresent()) {
                return wholeDisk(format(source.getAsLong()));
            }
        }
        throw new CgroupException(path + " is on " + mount.fsType() + " (source " + mount.source() + ", mounted at "
                + mount.mountPoint() + ", device " + mount.majorMinor() + "), not on a block device: the kernel throttles"
                + " the I/O of block devices only; put the data on a disk-backed file system (ext4, xfs, btrfs)"
                + " or a loop device");
    }

    /** Why {@code device} cannot be throttled (no such block device, a partition); empty when it can. */
    Optional<String> notAWholeDisk(String device) {
        Path dir = sysDevBlock.resolve(device);
        if (!Files.isDirectory(dir)) {
            return Optional.of("io limit on " + device + ": there is no block device " + device + " ("
                    + dir + " does not exist; lsblk lists MAJ:MIN of the disks)");
        }
        if (Files.exists(dir.resolve("partition"))) {
            return Optional.of("io limit on " + device + ": " + device + " is a partition, and the kernel throttles"
                    + " whole disks only: use its disk " + read(dir.resolve("../dev")) + " (IoLimit.forPath does)");
        }
        return Optional.empty();
    }

    private String wholeDisk(String device) {
        Path dir = sysDevBlock.resolve(device);
        return Files.exists(dir.resolve("partition")) ? read(dir.resolve("../dev")) : device;
    }

    /** The mount with the longest mount point containing {@code path}; of equal ones the last (it is on top). */
    private Mount mountOf(Path path) {
        List<Mount> mounts;
        try {
            mounts = Mountinfo.read(mountinfo);
        } catch (IOException e) {
            throw new CgroupException("cannot read " + mountinfo + ": " + ControlFiles.reason(e), e);
        }
        Mount best = null;
        for (Mount mount : mounts) {
            Path mountPoint = Path.of(mount.mountPoint());
            if (path.startsWith(mountPoint)
                    && (best == null || mountPoint.getNameCount() >= Path.of(best.mountPoint()).getNameCount())) {
                best = mount;
            }
        }
        if (best == null) {
            throw new CgroupException("no mount in " + mountinfo + " contains " + path);
        }
        return best;
    }

    private static Path realPath(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            throw new CgroupException("cannot find the device of " + path + ": " + ControlFiles.reason(e), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new CgroupException("cannot read " + file + ": " + ControlFiles.reason(e), e);
        }
    }

    /** glibc's major()/minor() of a dev_t. */
    static String format(long dev) {
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & 0xfffff000L);
        long minor = (dev & 0xff) | ((dev >>> 12) & 0xffffff00L);
        return major + ":" + minor;
    }

    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;

    static OptionalLong rdev(Path path) {
        try {
            Map<String, Object> attributes = Files.readAttributes(path, "unix:mode,rdev");
            int mode = (Integer) attributes.get("mode");
            return (mode & S_IFMT) == S_IFBLK ? OptionalLong.of((Long) attributes.get("rdev")) : OptionalLong.empty();
        } catch (IOException | UnsupportedOperationException e) {
            return OptionalLong.empty();
        }
    }
}
