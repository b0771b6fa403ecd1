package dev.belljar.linux.cgroup;

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
        if (!mount.device().startsWith("0:") && Files.isDirectory(sysDevBlock.resolve(mount.device()))) {
            return wholeDisk(mount.device());
        }
        if (mount.source().startsWith("/")) {
            OptionalLong source = blockDeviceNumber.apply(Path.of(mount.source()));
            if (source.isPresent()) {
                return wholeDisk(format(source.getAsLong()));
            }
        }
        throw new CgroupException(path + " is on " + mount.fsType() + " (source " + mount.source() + ", mounted at "
                + mount.mountPoint() + ", device " + mount.device() + "), not on a block device: the kernel throttles"
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

    private record Mount(String device, String mountPoint, String fsType, String source) {
    }

    /** The mount with the longest mount point containing {@code path}; of equal ones the last (it is on top). */
    private Mount mountOf(Path path) {
        List<String> lines;
        try {
            lines = Files.readAllLines(mountinfo);
        } catch (IOException e) {
            throw new CgroupException("cannot read " + mountinfo + ": " + ControlFiles.reason(e), e);
        }
        Mount best = null;
        for (String line : lines) {
            // 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
            String[] halves = line.split(" - ", 2);
            String[] fields = halves[0].split(" ");
            String[] fsFields = halves.length == 2 ? halves[1].split(" ") : new String[0];
            if (fields.length < 5 || fsFields.length < 2) {
                continue;
            }
            Path mountPoint = Path.of(CgroupMount.unescape(fields[4]));
            if (path.startsWith(mountPoint)
                    && (best == null || mountPoint.getNameCount() >= Path.of(best.mountPoint()).getNameCount())) {
                best = new Mount(fields[2], mountPoint.toString(), fsFields[0], CgroupMount.unescape(fsFields[1]));
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
