package dev.belljar.linux.cgroup;

import static dev.belljar.linux.cgroup.FakeCgroupFs.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlFilesTest {

    @TempDir
    Path dir;

    private final ControlFiles files = ControlFiles.real();

    @Test
    void readKeyReadsOneValueOfAKeyedFile() {
        file(dir, "memory.events", "low 0\nhigh 12\nmax 3\noom 1\noom_kill 2\noom_group_kill 0\n");

        assertThat(files.readKey(dir.resolve("memory.events"), "oom_kill")).isEqualTo(2);
        assertThat(files.readKey(dir.resolve("memory.events"), "high")).isEqualTo(12);
    }

    @Test
    void aMissingKeyIsNamedWithTheFile() {
        file(dir, "cpu.stat", "usage_usec 10\nuser_usec 6\n");

        assertThatThrownBy(() -> files.readKey(dir.resolve("cpu.stat"), "system_usec"))
                .isInstanceOf(CgroupException.class)
                .hasMessageStartingWith("cpu.stat in " + dir + " has no 'system_usec' line (keys: ")
                .hasMessageContaining("usage_usec")
                .hasMessageContaining("user_usec");
    }

    @Test
    void aValueThatIsNoNumberIsNamed() {
        file(dir, "memory.events", "oom_kill many\n");

        assertThatThrownBy(() -> files.readKey(dir.resolve("memory.events"), "oom_kill"))
                .isInstanceOf(CgroupException.class)
                .hasMessage("memory.events in " + dir + ": expected a number but read 'many'");
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() -> files.readKey(dir.resolve("memory.events"), "oom_kill"))
                .isInstanceOf(CgroupException.class)
                .hasMessage("cannot read memory.events in " + dir + ": No such file or directory");
    }
}
