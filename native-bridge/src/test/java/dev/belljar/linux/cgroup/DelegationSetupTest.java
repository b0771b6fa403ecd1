package dev.belljar.linux.cgroup;

import static dev.belljar.linux.cgroup.FakeCgroupFs.file;
import static dev.belljar.linux.cgroup.FakeCgroupFs.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.belljar.linux.host.Host;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The setup on fake cgroup trees: what it prints, makes and owns, and that --undo leaves the tree as it was. */
class DelegationSetupTest {
    private static final String HYBRID_MOUNTINFO = """
            32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
            34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;
    private static final String V2_MOUNTINFO = "26 22 0:23 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n";

    /** Whom the setup chowns to: only root may give a file away, anyone may chown to itself. */
    private static final long UID = Host.effectiveUid() == 0 ? 1500 : Host.effectiveUid();
    private static final long GID = Host.effectiveUid() == 0 ? 1600 : currentGid();

    private static long currentGid() {
        try {
            Path probe = Files.createTempFile("belljar-gid", "");
            try {
                return ((Number) Files.getAttribute(probe, "unix:gid")).longValue();
            } finally {
                Files.delete(probe);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @TempDir
    Path root;
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final List<List<String>> commands = new ArrayList<>();

    private DelegationSetup setup(String mountinfo, String selfCgroup) {
        file(root.resolve("proc"), "mountinfo", mountinfo);
        file(root.resolve("proc"), "cgroup", selfCgroup);
        try {
            Files.createDirectories(root.resolve("var/lib"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new DelegationSetup("ci", UID, GID, root, root.resolve("proc/mountinfo"), root.resolve("proc/cgroup"),
                command -> {
                    commands.add(command);
                    return new Host.CommandResult(0, "");
                }, new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    private Path cg(String path) {
        return root.resolve("sys/fs/cgroup").resolve(path);
    }

    private String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    /** Every path below the root with its content (files) and owner, to compare before and after. */
    private Map<String, String> snapshot() throws IOException {
        Map<String, String> tree = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.toList()) {
                String owner = Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS).toString();
                tree.put(root.relativize(path).toString(), owner + (Files.isRegularFile(path) ? ":" + Files.readString(path) : ""));
            }
        }
        return tree;
    }

    @Test
    void onV1ItMakesAChownedSubtreeInEachHierarchyAndUndoesIt() throws IOException {
        file(cg("cpu,cpuacct"), "cgroup.procs", "");
        file(cg("cpuset"), "cpuset.cpus", "0-3\n");
        file(cg("cpuset"), "cpuset.mems", "0\n");
        file(cg("memory/process_api/x"), "cgroup.procs", "");
        DelegationSetup setup = setup(HYBRID_MOUNTINFO, "4:memory:/process_api/x\n3:cpuset:/\n1:cpu,cpuacct:/\n0::/\n");
        Map<String, String> before = snapshot();

        String next = setup.apply();

        Path memory = cg("memory/process_api/x/belljar-for-ci");
        assertThat(memory).isDirectory();
        assertThat(Files.getAttribute(memory, "unix:uid")).isEqualTo((int) UID);
        assertThat(Files.getAttribute(memory, "unix:gid")).isEqualTo((int) GID);
        assertThat(cg("cpu,cpuacct/belljar-for-ci")).isDirectory();
        assertThat(read(cg("cpuset/belljar-for-ci/cpuset.cpus"))).isEqualTo("0-3");
        assertThat(printed()).contains("belljar setup: make the cgroup " + memory + "\n")
                .contains("belljar setup: chown " + UID + ":" + GID + " " + memory)
                .contains("belljar setup: write 0-3 to " + cg("cpuset/belljar-for-ci/cpuset.cpus"));
        assertThat(next).contains("runuser -u ci");
        // rmdir takes a cgroup's files with it on cgroupfs; the fake tree needs them gone first.
        Files.delete(cg("cpuset/belljar-for-ci/cpuset.cpus"));
        Files.delete(cg("cpuset/belljar-for-ci/cpuset.mems"));

        setup.undo();

        assertThat(snapshot()).isEqualTo(before);
        assertThat(printed()).contains("belljar setup: remove the cgroup " + memory);
    }

    @Test
    void onV2WithoutSystemdItHandsTheControllersDownToTheSubtreeItChowns() throws IOException {
        file(cg(""), "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma");
        file(cg(""), "cgroup.subtree_control", "memory");
        file(cg(""), "cgroup.procs", "1\n");
        DelegationSetup setup = setup(V2_MOUNTINFO, "0::/\n");

        String next = setup.apply();

        assertThat(read(cg("cgroup.subtree_control"))).isEqualTo("+cpu +cpuset +io +pids");
        assertThat(Files.getAttribute(cg("belljar-for-ci"), "unix:uid")).isEqualTo((int) UID);
        assertThat(next).contains("echo $$ > " + cg("belljar-for-ci/cgroup.procs") + " && exec setpriv --reuid=ci");
        assertThat(printed()).contains("belljar setup: write '+cpu +cpuset +io +pids' to " + cg("cgroup.subtree_control"));

        setup.undo();

        assertThat(cg("belljar-for-ci")).doesNotExist();
        assertThat(read(cg("cgroup.subtree_control"))).isEqualTo("-cpu -cpuset -io -pids");
        assertThat(root.resolve("var/lib/belljar/delegation-ci")).doesNotExist();
    }

    @Test
    void onV2ItRefusesToHandControllersDownFromACgroupThatHoldsProcesses() {
        file(cg("session.scope"), "cgroup.controllers", "cpu memory pids");
        file(cg("session.scope"), "cgroup.subtree_control", "");
        file(cg("session.scope"), "cgroup.procs", "4711\n");

        assertThatThrownBy(() -> setup(V2_MOUNTINFO, "0::/session.scope\n").apply())
                .hasMessageContaining("the setup runs in " + cg("session.scope") + ", which holds processes");
    }

    @Test
    void withSystemdItDelegatesThroughUserManagersAndLingering() throws IOException {
        Files.createDirectories(root.resolve("run/systemd/system"));
        Files.createDirectories(root.resolve("etc/systemd/system"));
        DelegationSetup setup = setup(V2_MOUNTINFO, "0::/user.slice/user-1500.slice/session-1.scope\n");
        Map<String, String> before = snapshot();

        setup.apply();

        assertThat(read(root.resolve(DelegationSetup.SYSTEMD_DROP_IN))).contains("Delegate=cpu cpuset io memory pids");
        assertThat(commands).containsExactly(List.of("systemctl", "daemon-reload"), List.of("loginctl", "enable-linger", "ci"));

        commands.clear();
        setup.undo();

        assertThat(commands).containsExactly(List.of("loginctl", "disable-linger", "ci"), List.of("systemctl", "daemon-reload"));
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void aSecondSetupIsRefusedUntilTheFirstIsUndone() {
        file(cg(""), "cgroup.controllers", "memory");
        file(cg(""), "cgroup.subtree_control", "memory");
        DelegationSetup setup = setup(V2_MOUNTINFO, "0::/\n");
        setup.apply();

        assertThatThrownBy(setup::apply).hasMessageContaining("the setup for ci was already made");
        setup.undo();
        assertThatThrownBy(setup::undo).hasMessageContaining("there is no setup for ci to undo");
    }
}
