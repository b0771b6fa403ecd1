package dev.belljar.linux.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.belljar.linux.host.Mountinfo.Mount;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountinfoTest {

    @TempDir
    Path tmp;

    private List<Mount> read(String text) throws Exception {
        Path file = Files.writeString(tmp.resolve("mountinfo"), text);
        return Mountinfo.read(file);
    }

    @Test
    void everyFieldOfALineIsARecordComponent() throws Exception {
        List<Mount> mounts = read("""
                36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
                35 31 0:32 / /sys/fs/cgroup/memory rw,nosuid,relatime shared:5 master:7 - cgroup cgroup rw,memory
                640 639 0:30 /kubepods/pod1 /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw
                """);

        assertThat(mounts).containsExactly(
                new Mount(36, 35, "98:0", "/mnt1", "/mnt2", List.of("rw", "noatime"), List.of("master:1"),
                        "ext3", "/dev/root", List.of("rw", "errors=continue")),
                new Mount(35, 31, "0:32", "/", "/sys/fs/cgroup/memory", List.of("rw", "nosuid", "relatime"),
                        List.of("shared:5", "master:7"), "cgroup", "cgroup", List.of("rw", "memory")),
                new Mount(640, 639, "0:30", "/kubepods/pod1", "/sys/fs/cgroup", List.of("rw", "relatime"), List.of(),
                        "cgroup2", "cgroup2", List.of("rw")));
    }

    @Test
    void octalEscapesInPathsAndTheSourceAreDecoded() throws Exception {
        List<Mount> mounts = read("""
                41 21 8:1 /my\\040data /mnt/with\\040space rw - ext4 /dev/disk\\040one rw
                42 21 8:2 / /mnt/back\\134slash rw - ext4 /dev/sda2 rw
                43 21 0:50 / /mnt/tab\\011and\\012newline rw - tmpfs none rw
                """);

        assertThat(mounts).extracting(Mount::root).containsExactly("/my data", "/", "/");
        assertThat(mounts).extracting(Mount::mountPoint)
                .containsExactly("/mnt/with space", "/mnt/back\\slash", "/mnt/tab\tand\nnewline");
        assertThat(mounts).extracting(Mount::source).containsExactly("/dev/disk one", "/dev/sda2", "none");
    }

    @Test
    void aBackslashNotFollowedByThreeOctalDigitsStays() {
        assertThat(Mountinfo.unescape("/a\\9b\\04")).isEqualTo("/a\\9b\\04");
        assertThat(Mountinfo.unescape("\\134\\040")).isEqualTo("\\ ");
    }

    @Test
    void linesThatAreNoRecordsAreSkipped() throws Exception {
        List<Mount> mounts = read("""

                garbage
                36 35 98:0 /mnt1 /mnt2 rw
                x 35 98:0 / /mnt3 rw - ext4 /dev/sda1 rw
                37 35 98:0 / /mnt4 rw - ext4 /dev/sda1 rw
                """);

        assertThat(mounts).extracting(Mount::mountPoint).containsExactly("/mnt4");
    }

    @Test
    void aMissingFileIsAnIoException() {
        assertThatThrownBy(() -> Mountinfo.read(tmp.resolve("absent"))).isInstanceOf(NoSuchFileException.class);
    }
}
