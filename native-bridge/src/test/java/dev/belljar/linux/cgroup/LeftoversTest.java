package dev.belljar.linux.cgroup;

import static dev.belljar.linux.cgroup.FakeCgroupFs.file;
import static dev.belljar.linux.cgroup.SandboxOwnersTest.BOOT;
import static dev.belljar.linux.cgroup.SandboxOwnersTest.process;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which sandboxes are leftovers, on fake cgroup trees, work dirs and /proc. */
class LeftoversTest {

    @TempDir
    Path root;
    Path parent;
    Path workDirs;
    SandboxOwners owners;

    @BeforeEach
    void fakeHost() throws IOException {
        parent = Files.createDirectories(root.resolve("cgroup/job"));
        workDirs = Files.createDirectories(root.resolve("tmp"));
        Path proc = root.resolve("proc");
        file(proc, "stat", "btime " + BOOT + "\n");
        // 200 started 100 s after boot; 300 only 300 s after boot, after its sandboxes were made.
        process(proc, 200, "java", "S", 100_00);
        process(proc, 300, "sleep", "S", 300_00);
        process(proc, 500, "java", "Z", 100_00);
        owners = new SandboxOwners(proc);
    }

    /** A directory last changed {@code secondsAfterBoot} after boot. */
    Path dir(Path in, String name, long secondsAfterBoot) throws IOException {
        Path dir = Files.createDirectories(in.resolve(name));
        Files.setLastModifiedTime(dir, FileTime.from(Instant.ofEpochSecond(BOOT + secondsAfterBoot)));
        return dir;
    }

    Leftovers leftovers() {
        return new Leftovers(new V2Host(parent, ControlFiles.real(), CgroupManager.KILL_TIMEOUT), List.of(workDirs),
                owners);
    }

    @Test
    void sandboxesOfGoneOwnersOnlyAreLeftovers() throws IOException {
        dir(parent, "belljar-100-1", 200);
        dir(workDirs, "belljar-100-1", 200);
        dir(parent, "belljar-200-1", 200);
        dir(workDirs, "belljar-200-1", 200);
        dir(parent, "belljar-300-4", 200);
        dir(workDirs, "belljar-400-2", 200);
        dir(parent, "belljar-500-1", 200);
        dir(parent, "belljar-host", 200);
        dir(parent, "belljar-kt-100-1", 200);
        dir(parent, "other", 200);
        dir(workDirs, "belljar-cds", 200);
        Files.writeString(workDirs.resolve("belljar-600-1"), "a file, not a work dir");

        assertThat(leftovers().find()).as("100 gone, 300 a new process with an old PID, 400 gone, 500 a zombie")
                .containsExactly(new SandboxName(100, 1), new SandboxName(300, 4), new SandboxName(400, 2),
                        new SandboxName(500, 1));
        assertThat(leftovers().directoriesOf(new SandboxName(100, 1)))
                .containsExactly(parent.resolve("belljar-100-1"), workDirs.resolve("belljar-100-1"));
    }

    @Test
    void theEarliestOfASandboxsDirectoriesTellsWhenItWasMade() throws IOException {
        // The cgroup was made before process 300 started; its work dir changed later.
        dir(parent, "belljar-300-1", 250);
        dir(workDirs, "belljar-300-1", 400);

        assertThat(leftovers().find()).containsExactly(new SandboxName(300, 1));
    }

    @Test
    void removingLeavesTheSandboxesOfRunningOwnersAndWhatLinksPointTo() throws IOException {
        Path leftover = dir(workDirs, "belljar-100-1", 200);
        Files.writeString(leftover.resolve("stdout"), "output");
        Files.writeString(Files.createDirectories(leftover.resolve("images/1")).resolve("pages.img"), "pages");
        Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("keep"), "kept");
        Files.createSymbolicLink(leftover.resolve("link"), elsewhere);
        Files.createSymbolicLink(workDirs.resolve("belljar-100-2"), elsewhere);
        Path running = dir(workDirs, "belljar-200-1", 200);

        assertThat(leftovers().removeAll()).containsExactly(new SandboxName(100, 1));

        assertThat(leftover).doesNotExist();
        assertThat(running).isDirectory();
        assertThat(elsewhere.resolve("keep")).hasContent("kept");
        assertThat(workDirs.resolve("belljar-100-2")).isSymbolicLink();
    }

    @Test
    void theWatchdogsCleanUpFindsTheHostAgainFromItsArguments() {
        Map<String, Path> parents = new LinkedHashMap<>();
        parents.put("memory", root.resolve("memory/job"));
        parents.put("cpu", root.resolve("cpu,cpuacct/job"));
        parents.put("cpuacct", root.resolve("cpu,cpuacct/job"));
        V1Host v1 = new V1Host(parents, true, ControlFiles.real(), CgroupManager.KILL_TIMEOUT);
        V2Host v2 = new V2Host(parent, ControlFiles.real(), CgroupManager.KILL_TIMEOUT);

        assertThat(CgroupHost.fromArguments(v1.arguments()).arguments()).isEqualTo(v1.arguments());
        assertThat(CgroupHost.fromArguments(v1.arguments()).parents())
                .containsExactly(root.resolve("cpu,cpuacct/job"), root.resolve("memory/job"));
        assertThat(CgroupHost.fromArguments(v2.arguments()).parents()).containsExactly(parent);
    }
}
