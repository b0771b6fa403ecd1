package dev.belljar.linux.cgroup;

import static dev.belljar.linux.cgroup.FakeCgroupFs.file;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whether a sandbox's owner still runs, on a fake /proc. */
class SandboxOwnersTest {

    static final long BOOT = 1_700_000_000L;

    @TempDir
    Path proc;
    SandboxOwners owners;

    @BeforeEach
    void boot() {
        file(proc, "stat", "cpu  1 2 3 4\ncpu0 1 2 3 4\nintr 5\nctxt 6\nbtime " + BOOT + "\nprocesses 7\n");
        owners = new SandboxOwners(proc);
    }

    /** A {@code /proc/<pid>/stat} line whose process started {@code ticks} (1/100 s) after boot. */
    static void process(Path proc, long pid, String command, String state, long ticks) {
        StringBuilder line = new StringBuilder(pid + " (" + command + ") " + state);
        for (int field = 4; field <= 52; field++) {
            line.append(' ').append(field == 22 ? Long.toString(ticks) : "0");
        }
        file(proc.resolve(Long.toString(pid)), "stat", line.append('\n').toString());
    }

    @Test
    void anOwnerThatStartedBeforeItsSandboxRuns() {
        process(proc, 4711, "java", "S", 100_00);

        assertThat(owners.runs(4711, Instant.ofEpochSecond(BOOT + 101))).isTrue();
        assertThat(owners.startTicks(4711)).isEqualTo(OptionalLong.of(100_00));
    }

    @Test
    void aProcessThatStartedAfterTheSandboxWasMadeIsANewOwnerOfTheSamePid() {
        process(proc, 4711, "sleep", "S", 200_00);

        assertThat(owners.runs(4711, Instant.ofEpochSecond(BOOT + 199))).isFalse();
    }

    @Test
    void noSuchProcessAndAZombieDoNotRun() {
        process(proc, 4712, "java", "Z", 100);

        assertThat(owners.runs(4711, Instant.ofEpochSecond(BOOT + 60))).isFalse();
        assertThat(owners.runs(4712, Instant.ofEpochSecond(BOOT + 60))).isFalse();
        assertThat(owners.startTicks(4712)).isEmpty();
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesIsSkippedWhole() {
        process(proc, 4711, "a) Z (b", "R", 100_00);

        assertThat(owners.startTicks(4711)).isEqualTo(OptionalLong.of(100_00));
        assertThat(owners.runs(4711, Instant.ofEpochSecond(BOOT + 100))).isTrue();
    }

    @Test
    void aStatThatCannotBeParsedCountsAsRunning() {
        file(proc.resolve("4711"), "stat", "4711 (java) S 1 2\n");

        assertThat(owners.runs(4711, Instant.ofEpochSecond(BOOT))).isTrue();
    }
}
