package dev.belljar.linux.cgroup;

import static dev.belljar.linux.cgroup.FakeCgroupFs.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mount points are directories of a fake tree; mountinfo names them by their real paths. */
class BlockDevicesTest {

    @TempDir
    Path tmp;

    private Path sys;
    private Path root;

    @BeforeEach
    void fakeSysfs() throws Exception {
        sys = tmp.resolve("sys/dev/block");
        Path devices = tmp.resolve("sys/devices");
        file(devices.resolve("vda"), "dev", "254:0\n");
        file(devices.resolve("vda/vda1"), "dev", "254:1\n");
        file(devices.resolve("vda/vda1"), "partition", "1\n");
        file(devices.resolve("sdb"), "dev", "8:16\n");
        Files.createDirectories(sys);
        Files.createSymbolicLink(sys.resolve("254:0"), devices.resolve("vda"));
        Files.createSymbolicLink(sys.resolve("254:1"), devices.resolve("vda/vda1"));
        Files.createSymbolicLink(sys.resolve("8:16"), devices.resolve("sdb"));
        root = tmp.toRealPath().resolve("root");
        for (String dir : new String[] {"data/x", "shm", "btrfs", "share", "merged"}) {
            Files.createDirectories(root.resolve(dir));
        }
    }

    private BlockDevices devices(Map<Path, Long> deviceFiles) {
        String r = root.toString();
        file(tmp.resolve("proc"), "mountinfo", String.join("\n",
                "21 1 254:1 / " + r + " rw,relatime - ext4 /dev/vda1 rw",
                "22 21 0:25 / " + r + "/shm rw - tmpfs tmpfs rw",
                "23 21 0:41 / " + r + "/btrfs rw - btrfs /dev/sdb rw",
                "24 21 0:42 / " + r + "/share rw - 9p hostshare rw",
                "25 21 0:43 / " + r + "/merged rw - overlay overlay rw,lowerdir=/a",
                "26 21 254:1 / " + r + "/data rw - ext4 /dev/vda1 rw") + "\n");
        return new BlockDevices(tmp.resolve("proc/mountinfo"), sys,
                path -> deviceFiles.containsKey(path) ? OptionalLong.of(deviceFiles.get(path)) : OptionalLong.empty());
    }

    @Test
    void aFileOnAPartitionMapsToItsDisk() {
        assertThat(devices(Map.of()).diskOf(root.resolve("data/x"))).isEqualTo("254:0");
        assertThat(devices(Map.of()).diskOf(root)).isEqualTo("254:0");
    }

    @Test
    void anAnonymousDeviceNumberFallsBackToTheMountSource() {
        assertThat(devices(Map.of(Path.of("/dev/sdb"), 0x0810L)).diskOf(root.resolve("btrfs"))).isEqualTo("8:16");
    }

    @Test
    void aBlockDeviceFileStandsForItself() {
        Path loop = root.resolve("data/x");
        assertThat(devices(Map.of(loop, 0x0810L)).diskOf(loop)).isEqualTo("8:16");
    }

    @Test
    void fileSystemsWithoutADiskAreNamed() {
        BlockDevices devices = devices(Map.of());
        assertThatThrownBy(() -> devices.diskOf(root.resolve("shm")))
                .isInstanceOf(CgroupException.class)
                .hasMessageStartingWith(root.resolve("shm") + " is on tmpfs (source tmpfs, mounted at " + root.resolve("shm")
                        + ", device 0:25), not on a block device");
        assertThatThrownBy(() -> devices.diskOf(root.resolve("share"))).hasMessageContaining("is on 9p (source hostshare");
        assertThatThrownBy(() -> devices.diskOf(root.resolve("merged"))).hasMessageContaining("is on overlay");
        assertThatThrownBy(() -> devices.diskOf(root.resolve("btrfs")))
                .as("a btrfs whose source is no block device here").hasMessageContaining("is on btrfs");
    }

    @Test
    void partitionsAndUnknownDevicesCannotBeThrottled() {
        BlockDevices devices = devices(Map.of());
        assertThat(devices.notAWholeDisk("254:0")).isEmpty();
        assertThat(devices.notAWholeDisk("254:1")).hasValue("io limit on 254:1: 254:1 is a partition, and the kernel"
                + " throttles whole disks only: use its disk 254:0 (IoLimit.forPath does)");
        assertThat(devices.notAWholeDisk("9:9")).hasValueSatisfying(reason -> assertThat(reason)
                .startsWith("io limit on 9:9: there is no block device 9:9"));
    }
}
