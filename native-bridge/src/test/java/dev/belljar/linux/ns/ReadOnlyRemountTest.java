package dev.belljar.linux.ns;

import dev.belljar.linux.host.Mountinfo;
import dev.belljar.linux.host.Mountinfo.Mount;
import dev.belljar.linux.libc.Syscalls;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a remount one mount at a time (kernels without mount_setattr) picks and keeps; mount table made up. */
class ReadOnlyRemountTest {
    private static final List<Mount> MOUNTS = Mountinfo.parse(List.of(
            "22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw",
            "30 22 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755",
            "35 30 0:32 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,memory",
            "40 1 0:40 / /system rw,noatime - ext4 /dev/sda2 rw",
            "41 1 0:41 / /sysroot rw,strictatime,nodiratime - ext4 /dev/sda3 rw"));

    @Test
    void remountsTheTargetAndWhatIsMountedBelowItOnly() {
        assertThat(Mounts.atOrBelow("/sys", MOUNTS)).extracting(Mount::mountPoint)
                .containsExactly("/sys", "/sys/fs/cgroup", "/sys/fs/cgroup/memory");
        assertThat(Mounts.atOrBelow("/sys/fs/cgroup/", MOUNTS)).extracting(Mount::mountPoint)
                .containsExactly("/sys/fs/cgroup", "/sys/fs/cgroup/memory");
    }

    @Test
    void keepsEachMountsOwnFlagsButReadOnly() {
        assertThat(Mounts.keptFlags(MOUNTS.get(0).mountOptions()))
                .isEqualTo(Syscalls.MS_NOSUID | Syscalls.MS_NODEV | 0x8 | 0x200000);
        assertThat(Mounts.keptFlags(MOUNTS.get(1).mountOptions())).isEqualTo(Syscalls.MS_NOSUID | Syscalls.MS_NODEV | 0x8);
        assertThat(Mounts.keptFlags(MOUNTS.get(3).mountOptions())).isEqualTo(0x400);
        assertThat(Mounts.keptFlags(MOUNTS.get(4).mountOptions())).isEqualTo(0x1000000 | 0x800);
    }
}
