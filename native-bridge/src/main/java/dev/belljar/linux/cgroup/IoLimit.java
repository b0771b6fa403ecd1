package dev.belljar.linux.cgroup;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Throttling of one block device: bytes and I/O operations per second, read and write. An empty
 * value means "no limit". Written to {@code io.max} ({@code MAJ:MIN rbps=N wbps=N riops=N wiops=N})
 * on cgroup v2, to {@code blkio.throttle.read_bps_device}, {@code write_bps_device},
 * {@code read_iops_device} and {@code write_iops_device} on v1.
 *
 * <p>The kernel throttles whole disks only, not partitions; {@link #forPath(Path)} finds the disk
 * that backs a file.
 *
 * @param device    {@code MAJ:MIN} of a whole disk, e.g. {@code 8:0} (see {@code lsblk})
 * @param readBps   read bytes per second
 * @param writeBps  written bytes per second
 * @param readIops  read operations per second
 * @param writeIops write operations per second
 */
public record IoLimit(String device, OptionalLong readBps, OptionalLong writeBps, OptionalLong readIops,
        OptionalLong writeIops) {

    private static final Pattern DEVICE = Pattern.compile("\\d{1,9}:\\d{1,9}");

    public IoLimit {
        Objects.requireNonNull(device, "device");
        if (!DEVICE.matcher(device).matches()) {
            throw new IllegalArgumentException("io limit device '" + device + "' must be MAJ:MIN of a block device,"
                    + " e.g. 8:0 (lsblk lists them; IoLimit.forPath finds the one backing a file)");
        }
        positive("readBps", readBps);
        positive("writeBps", writeBps);
        positive("readIops", readIops);
        positive("writeIops", writeIops);
    }

    private static void positive(String name, OptionalLong value) {
        Objects.requireNonNull(value, name);
        if (value.isPresent() && value.getAsLong() <= 0) {
            throw new IllegalArgumentException("io limit " + name + " " + value.getAsLong()
                    + " must be positive: 0 would stop all I/O; leave it empty for no limit");
        }
    }

    /** No limit yet on {@code device} ({@code MAJ:MIN}); add them with the {@code with*} methods. */
    public static IoLimit of(String device) {
        return new IoLimit(device, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
    }

    /**
     * No limit yet on the whole disk backing {@code path} (a file, a directory or a block device
     * file such as {@code /dev/loop0}).
     *
     * @throws CgroupException when {@code path} is not on a block device, naming its file system
     *         (tmpfs, overlay, 9p, ...): see {@link #cannotLimit(Path)}
     */
    public static IoLimit forPath(Path path) {
        return of(BlockDevices.real().diskOf(path));
    }

    /** Why the I/O of {@code path} cannot be throttled (it is not on a block device); empty when it can. */
    public static Optional<String> cannotLimit(Path path) {
        try {
            BlockDevices.real().diskOf(path);
            return Optional.empty();
        } catch (CgroupException e) {
            return Optional.of(e.getMessage());
        }
    }

    public IoLimit withReadBps(long bytesPerSecond) {
        return new IoLimit(device, OptionalLong.of(bytesPerSecond), writeBps, readIops, writeIops);
    }

    public IoLimit withWriteBps(long bytesPerSecond) {
        return new IoLimit(device, readBps, OptionalLong.of(bytesPerSecond), readIops, writeIops);
    }

    public IoLimit withReadIops(long operationsPerSecond) {
        return new IoLimit(device, readBps, writeBps, OptionalLong.of(operationsPerSecond), writeIops);
    }

    public IoLimit withWriteIops(long operationsPerSecond) {
        return new IoLimit(device, readBps, writeBps, readIops, OptionalLong.of(operationsPerSecond));
    }

    /** True when no value is set: such a limit limits nothing. */
    public boolean isEmpty() {
        return readBps.isEmpty() && writeBps.isEmpty() && readIops.isEmpty() && writeIops.isEmpty();
    }
}
