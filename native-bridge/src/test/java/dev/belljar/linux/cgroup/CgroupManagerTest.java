package dev.belljar.linux.cgroup;

import static dev.belljar.linux.cgroup.FakeCgroupFs.file;
import static dev.belljar.linux.cgroup.FakeCgroupFs.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupManagerTest {

    private static final String NO_SWAP = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
    private static final String SWAP = NO_SWAP + "/dev/vda2                               partition\t1048572\t\t0\t\t-2\n";

    /** This machine's layout: v1 hierarchies, memory in a nested cgroup, a cgroup2 mount without controllers. */
    private static final String HYBRID_MOUNTINFO = """
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
            34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
            37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
            38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
            39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
            40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;
    private static final String HYBRID_CGROUP = """
            9:name=systemd:/
            8:pids:/
            7:blkio:/
            6:freezer:/
            5:devices:/
            4:memory:/process_api/d6a2a58d2fa240ecc0dfa59f2a9d2c01
            3:cpuset:/
            2:cpuacct:/
            1:cpu:/
            0::/
            """;

    /** A systemd host on cgroup v1: cpu and cpuacct co-mounted; user sessions below the roots. */
    private static final String V1_MOUNTINFO = """
            25 24 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
            26 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,name=systemd
            29 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,cpu,cpuacct
            30 25 0:28 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,memory
            31 25 0:29 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,pids
            32 25 0:30 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,freezer
            33 25 0:31 / /sys/fs/cgroup/blkio rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,blkio
            """;
    private static final String V1_CGROUP = """
            6:blkio:/user.slice
            5:freezer:/
            4:pids:/user.slice/user-1000.slice/session-2.scope
            3:memory:/user.slice/user-1000.slice/session-2.scope
            2:cpu,cpuacct:/user.slice
            1:name=systemd:/user.slice/user-1000.slice/session-2.scope
            """;

    private static final String V2_MOUNTINFO = """
            22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
            26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
            """;

    @TempDir
    Path root;

    private CgroupManager detect(String mountinfo, String selfCgroup, String swaps, Optional<Path> configured) {
        return detectAs(ROOT, mountinfo, selfCgroup, swaps, configured);
    }

    private static final CgroupUser ROOT = new CgroupUser(0, "root", path -> true);

    private CgroupManager detectAs(CgroupUser user, String mountinfo, String selfCgroup, String swaps,
            Optional<Path> configured) {
        file(root.resolve("proc"), "mountinfo", mountinfo);
        file(root.resolve("proc"), "cgroup", selfCgroup);
        file(root.resolve("proc"), "swaps", swaps);
        return CgroupManager.detect(configured, root.resolve("proc/mountinfo"), root.resolve("proc/cgroup"),
                root.resolve("proc/swaps"), root, user);
    }

    private Path cg(String path) {
        return root.resolve("sys/fs/cgroup").resolve(path);
    }

    /** A user (uid 1500) that may write only {@code writable}, as a delegation leaves it. */
    private CgroupUser user(Path... writable) {
        java.util.Set<Path> allowed = java.util.Set.of(writable);
        return new CgroupUser(1500, "ci", allowed::contains);
    }

    private static Path[] delegated(Path dir) {
        return new Path[] {dir, dir.resolve("cgroup.procs"), dir.resolve("cgroup.subtree_control")};
    }

    @Test
    void nonRootOnV2UsesItsOwnCgroupWhenItIsDelegatedToIt() {
        Path own = cg("ci.slice/job.scope");
        CgroupManager manager = detectAs(user(delegated(own)), V2_MOUNTINFO, "0::/ci.slice/job.scope\n", NO_SWAP,
                Optional.empty());

        assertThat(manager.describe()).startsWith("cgroup v2: sandboxes under " + own);
        assertThat(manager.delegation()).isEqualTo("the test JVM's own cgroup, delegated to user ci (uid 1500)");
        assertThat(manager.kernelGuardsNamespaceRoots()).as("mounted with nsdelegate").isTrue();
        String withoutNsdelegate = V2_MOUNTINFO.replace(",nsdelegate", "");
        assertThat(detectAs(user(delegated(own)), withoutNsdelegate, "0::/ci.slice/job.scope\n", NO_SWAP, Optional.empty())
                .kernelGuardsNamespaceRoots()).isFalse();
    }

    @Test
    void nonRootOnV2WithoutDelegationIsRefusedNamingItsCgroup() {
        assertThatThrownBy(() -> detectAs(user(), V2_MOUNTINFO, "0::/user.slice/session-2.scope\n", NO_SWAP,
                Optional.empty()))
                .isInstanceOf(NotDelegatedException.class)
                .hasMessageContaining("the test JVM's cgroup " + cg("user.slice/session-2.scope")
                        + " is not delegated to user ci (uid 1500)")
                .satisfies(e -> assertThat(((NotDelegatedException) e).user()).isEqualTo("ci"));
    }

    @Test
    void nonRootOnV2CannotUseAConfiguredParentAboveWhichItMayNotMoveItsProcesses() {
        Path configured = cg("belljar-for-ci");
        file(configured, "cgroup.procs", "");
        assertThatThrownBy(() -> detectAs(user(delegated(configured)), V2_MOUNTINFO, "0::/user.slice/session-2.scope\n",
                NO_SWAP, Optional.of(Path.of("belljar-for-ci"))))
                .isInstanceOf(NotDelegatedException.class)
                .hasMessageContaining("the test JVM runs in " + cg("user.slice/session-2.scope") + ", outside the configured"
                        + " sandbox parent " + configured)
                .hasMessageContaining("start the test JVM inside " + configured);
    }

    @Test
    void nonRootOnV2UsesAConfiguredParentItRunsIn() {
        Path configured = cg("belljar-for-ci");
        file(configured, "cgroup.procs", "");
        CgroupManager manager = detectAs(user(delegated(configured)), V2_MOUNTINFO, "0::/belljar-for-ci/job\n",
                NO_SWAP, Optional.of(Path.of("belljar-for-ci")));

        assertThat(manager.describe()).startsWith("cgroup v2: sandboxes under " + configured);
        assertThat(manager.delegation()).isEqualTo("the configured parent (belljar.cgroup.parent)");
    }

    @Test
    void nonRootOnV1UsesTheSetupsSubtreeInEachHierarchyDelegatedToIt() {
        Path memory = cg("memory/process_api/d6a2a58d2fa240ecc0dfa59f2a9d2c01/belljar-for-ci");
        CgroupManager manager = detectAs(user(memory, memory.resolve("cgroup.procs"), cg("cpu/belljar-for-ci"),
                cg("cpu/belljar-for-ci/cgroup.procs")), HYBRID_MOUNTINFO, HYBRID_CGROUP, NO_SWAP, Optional.empty());

        assertThat(manager.describe()).startsWith("cgroup v1 (hybrid): memory at " + memory + ", cpu at "
                + cg("cpu/belljar-for-ci"));
        assertThat(manager.missingControllers()).contains("pids", "cpuset", "freezer").doesNotContain("memory", "cpu");
        assertThat(manager.delegation()).isEqualTo("belljar-for-ci, made for user ci (uid 1500) by Belljar's setup");
        assertThat(manager.kernelGuardsNamespaceRoots()).isFalse();
        assertThat(manager.cannotEnforce(CgroupLimits.none().withPidsMax(10))).get().asString()
                .contains("pids controller is not mounted or not delegated to this user");
    }

    @Test
    void nonRootOnV1WithoutTheMemoryHierarchyDelegatedIsRefused() {
        assertThatThrownBy(() -> detectAs(user(cg("cpu/belljar-for-ci"), cg("cpu/belljar-for-ci/cgroup.procs")),
                HYBRID_MOUNTINFO, HYBRID_CGROUP, NO_SWAP, Optional.empty()))
                .isInstanceOf(NotDelegatedException.class)
                .hasMessageContaining("no cgroup of the memory hierarchy is delegated to user ci (uid 1500)")
                .hasMessageContaining(cg("memory/process_api/d6a2a58d2fa240ecc0dfa59f2a9d2c01/belljar-for-ci").toString());
    }

    @Test
    void hybridHostIsUsedAsV1WithEachControllersOwnParent() {
        CgroupManager manager = detect(HYBRID_MOUNTINFO, HYBRID_CGROUP, NO_SWAP, Optional.empty());

        assertThat(manager.version()).isEqualTo(CgroupVersion.V1);
        assertThat(manager.missingControllers()).isEmpty();
        assertThat(manager.describe()).startsWith("cgroup v1 (hybrid): memory at "
                + cg("memory/process_api/d6a2a58d2fa240ecc0dfa59f2a9d2c01") + ", cpu at " + cg("cpu") + ", cpuacct at "
                + cg("cpuacct"));
    }

    @Test
    void insideACgroupNamespaceTheRemountedHierarchyShadowsTheHostsOne() {
        // As a sandbox with its own cgroup namespace sees it: the host's mount (its root above the
        // namespace's) stays listed, and the later mount over it is the one in effect.
        String mountinfo = """
                35 31 0:32 /../../.. /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
                63 62 0:51 / /sys/fs/cgroup rw,relatime - tmpfs t rw
                64 63 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
                """;
        CgroupManager manager = detect(mountinfo, "4:memory:/\n", NO_SWAP, Optional.empty());

        assertThat(manager.describe()).contains("memory at " + cg("memory"));
    }

    @Test
    void coMountedCpuAndCpuacctShareOneDirectory() {
        Path session = cg("memory/user.slice/user-1000.slice/session-2.scope");
        CgroupManager manager = detect(V1_MOUNTINFO, V1_CGROUP, NO_SWAP, Optional.empty());
        for (String dir : new String[] {"memory/user.slice/user-1000.slice/session-2.scope",
                "pids/user.slice/user-1000.slice/session-2.scope", "cpu,cpuacct/user.slice", "freezer", "blkio/user.slice"}) {
            file(cg(dir), "cgroup.procs", "");
        }

        Cgroup cgroup = manager.create("belljar-7");

        assertThat(manager.describe()).startsWith("cgroup v1: memory at " + session);
        assertThat(cgroup.procsFiles()).containsExactlyInAnyOrder(
                session.resolve("belljar-7/cgroup.procs"),
                cg("pids/user.slice/user-1000.slice/session-2.scope/belljar-7/cgroup.procs"),
                cg("cpu,cpuacct/user.slice/belljar-7/cgroup.procs"),
                cg("freezer/belljar-7/cgroup.procs"),
                cg("blkio/user.slice/belljar-7/cgroup.procs"));
        assertThat(cg("cpu,cpuacct/user.slice/belljar-7")).isDirectory();
    }

    @Test
    void aConfiguredParentOnV1IsAppendedToEveryMountPoint() {
        CgroupManager manager = detect(V1_MOUNTINFO, V1_CGROUP, NO_SWAP, Optional.of(Path.of("belljar")));

        Cgroup cgroup = manager.create("belljar-1");

        assertThat(cgroup.procsFiles()).contains(cg("memory/belljar/belljar-1/cgroup.procs"),
                cg("cpu,cpuacct/belljar/belljar-1/cgroup.procs"));
        assertThatThrownBy(() -> detect(V1_MOUNTINFO, V1_CGROUP, NO_SWAP, Optional.of(Path.of("/sys/fs/cgroup/x"))))
                .hasMessageContaining("must be a relative path");
    }

    @Test
    void aMountOfPartOfTheHierarchyIsJoinedRelativeToItsRoot() {
        String mountinfo = """
                640 639 0:30 /kubepods/pod1/ctr /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw
                """;

        CgroupManager manager = detect(mountinfo, "0::/kubepods/pod1/ctr/app\n", NO_SWAP, Optional.empty());

        assertThat(manager.describe()).startsWith("cgroup v2: sandboxes under " + cg("app") + ",");
        assertThatThrownBy(() -> detect(mountinfo, "0::/other\n", NO_SWAP, Optional.empty()))
                .hasMessageContaining("cgroup /other (from /proc/self/cgroup) is outside /kubepods/pod1/ctr");
    }

    @Test
    void pureV2UsesTheProcessCgroupAsParent() {
        file(cg("job"), "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");

        CgroupManager manager = detect(V2_MOUNTINFO, "0::/job\n", NO_SWAP, Optional.empty());

        assertThat(manager.version()).isEqualTo(CgroupVersion.V2);
        assertThat(manager.missingControllers()).isEmpty();
        assertThat(manager.describe()).isEqualTo("cgroup v2: sandboxes under " + cg("job")
                + ", controllers available: cpuset cpu io memory hugetlb pids rdma misc");
    }

    @Test
    void noCgroupMountIsAnError() {
        assertThatThrownBy(() -> detect("22 1 0:21 / /sys rw - sysfs sysfs rw\n", "0::/\n", NO_SWAP, Optional.empty()))
                .hasMessageStartingWith("no cgroup filesystem is mounted");
    }

    @Test
    void v2NamesControllersTheParentDoesNotDelegate() {
        file(cg("job"), "cgroup.controllers", "memory\n");
        CgroupManager manager = detect(V2_MOUNTINFO, "0::/job\n", NO_SWAP, Optional.empty());

        assertThat(manager.cannotEnforce(CgroupLimits.none().withMemoryBytes(1 << 20))).isEmpty();
        assertThat(manager.cannotEnforce(CgroupLimits.none().withCpuQuota(50_000, 100_000).withPidsMax(5)))
                .hasValue("the cpu controller is not delegated to the sandbox parent " + cg("job")
                        + " (its cgroup.controllers offers: memory): a cpu limit needs it; the pids controller is not"
                        + " delegated to the sandbox parent " + cg("job") + " (its cgroup.controllers offers: memory):"
                        + " a pids limit needs it");
        assertThat(manager.missingControllers()).containsExactly("cpu", "pids", "io", "cpuset");
    }

    @Test
    void v2SwapThatCannotBeCappedMakesAMemoryLimitUnenforceable() {
        file(cg("job"), "cgroup.controllers", "cpu io memory pids\n");
        file(cg("job"), "memory.max", "max\n");

        assertThat(detect(V2_MOUNTINFO, "0::/job\n", SWAP, Optional.empty())
                .cannotEnforce(CgroupLimits.none().withMemoryBytes(1 << 20)))
                .hasValueSatisfying(reason -> assertThat(reason).contains("this host has swap (/proc/swaps) but cannot cap it"));
        assertThat(detect(V2_MOUNTINFO, "0::/job\n", NO_SWAP, Optional.empty())
                .cannotEnforce(CgroupLimits.none().withSwapBytes(4096)))
                .hasValueSatisfying(reason -> assertThat(reason).contains("a swap limit needs memory.swap.max"));
        file(cg("job"), "memory.swap.max", "max\n");
        assertThat(detect(V2_MOUNTINFO, "0::/job\n", SWAP, Optional.empty())
                .cannotEnforce(CgroupLimits.none().withMemoryBytes(1 << 20).withSwapBytes(4096))).isEmpty();
    }

    @Test
    void v1SwapNeedsMemsw() {
        file(cg("memory/process_api/d6a2a58d2fa240ecc0dfa59f2a9d2c01"), "memory.limit_in_bytes", "max\n");

        assertThat(detect(HYBRID_MOUNTINFO, HYBRID_CGROUP, NO_SWAP, Optional.empty())
                .cannotEnforce(CgroupLimits.none().withMemoryBytes(1 << 20).withSwapBytes(1 << 20)))
                .hasValueSatisfying(reason -> assertThat(reason).contains("swap accounting is off (boot with swapaccount=1)"));
        assertThat(detect(HYBRID_MOUNTINFO, HYBRID_CGROUP, SWAP, Optional.empty())
                .cannotEnforce(CgroupLimits.none().withMemoryBytes(1 << 20)))
                .hasValueSatisfying(reason -> assertThat(reason).contains("the memory limit would not be real"));
        assertThat(detect(HYBRID_MOUNTINFO, HYBRID_CGROUP, NO_SWAP, Optional.empty())
                .cannotEnforce(CgroupLimits.none().withMemoryBytes(1 << 20))).isEmpty();
    }

    @Test
    void v1WithoutMemoryOrPidsIsNamed() {
        String mountinfo = "29 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n";
        CgroupManager manager = detect(mountinfo, "2:cpu,cpuacct:/\n", NO_SWAP, Optional.empty());

        assertThat(manager.missingControllers()).containsExactly("memory", "pids", "freezer", "blkio", "cpuset");
        assertThat(manager.cannotEnforce(CgroupLimits.none().withPidsMax(3)))
                .hasValueSatisfying(reason -> assertThat(reason)
                        .contains("the cgroup v1 memory controller is not mounted")
                        .contains("the cgroup v1 pids controller is not mounted"));
    }

    @Test
    void anUnwritableParentIsNamed() throws IOException {
        file(cg("job"), "cgroup.controllers", "cpu io memory pids\n");
        Files.setPosixFilePermissions(cg("job"), PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            CgroupManager manager = detect(V2_MOUNTINFO, "0::/job\n", NO_SWAP, Optional.empty());
            assumeFalse(Files.isWritable(cg("job")), "root writes anywhere");

            assertThat(manager.cannotEnforce(CgroupLimits.none()))
                    .hasValueSatisfying(reason -> assertThat(reason).contains("the sandbox parent cgroup " + cg("job")
                            + " is not writable").contains("Belljar needs root or a delegated cgroup subtree"));
        } finally {
            Files.setPosixFilePermissions(cg("job"), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void namesMustBeOnePathSegment() {
        file(cg("job"), "cgroup.controllers", "memory\n");
        CgroupManager manager = detect(V2_MOUNTINFO, "0::/job\n", NO_SWAP, Optional.empty());

        assertThatThrownBy(() -> manager.create("../escape")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void v2MovesTheParentsProcessesIntoALeafToDelegateAndUndoesItOnClose() throws IOException {
        Path parent = cg("job");
        file(parent, "cgroup.controllers", "cpuset cpu io memory pids\n");
        file(parent, "cgroup.subtree_control", "");
        file(parent, "cgroup.procs", "101\n102\n");
        V2Host host = new V2Host(parent, new ControlFiles(new NoInternalProcessesKernel()), CgroupManager.KILL_TIMEOUT);

        Cgroup cgroup = host.create("belljar-1");

        assertThat(read(parent.resolve("cgroup.subtree_control"))).isEqualTo("memory cpu pids io cpuset");
        assertThat(procs(parent)).isEmpty();
        assertThat(procs(parent.resolve("belljar-host"))).isEqualTo("101\n102\n");
        assertThat(cgroup.procsFiles()).containsExactly(parent.resolve("belljar-1/cgroup.procs"));

        host.close();
        assertThat(parent.resolve("belljar-host")).as("a sandbox is left: nothing undone").isDirectory();

        Files.delete(parent.resolve("belljar-1"));
        host.close();

        assertThat(read(parent.resolve("cgroup.subtree_control"))).isEmpty();
        assertThat(procs(parent)).isEqualTo("101\n102\n");
        assertThat(parent.resolve("belljar-host")).doesNotExist();
    }

    @Test
    void v1RefusesMemoryHighAndNamesMissingControllersAndCpus() {
        file(cg("memory/process_api/d6a2a58d2fa240ecc0dfa59f2a9d2c01"), "memory.limit_in_bytes", "max\n");
        file(cg("cpuset"), "cpuset.effective_cpus", "0-1\n");
        CgroupManager manager = detect(HYBRID_MOUNTINFO, HYBRID_CGROUP, NO_SWAP, Optional.empty());

        assertThat(manager.cannotEnforce(CgroupLimits.none().withMemoryHighBytes(1 << 20)))
                .hasValue("memoryHigh is not supported on cgroup v1 (memory.high exists only in cgroup v2):"
                        + " remove it or run on a cgroup v2 host");
        assertThat(manager.cannotEnforce(CgroupLimits.none().withCpusetCpus("1").withCpuWeight(300))).isEmpty();
        assertThat(manager.cannotEnforce(CgroupLimits.none().withCpusetCpus("0-3")))
                .hasValue("cpuset = \"0-3\" asks for CPUs 2-3, which the sandbox parent does not offer"
                        + " (cpuset.effective_cpus in " + cg("cpuset") + ": 0-1): declare CPUs within 0-1");

        String noCpuset = "29 25 0:27 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
        assertThat(detect(noCpuset, "3:memory:/\n", NO_SWAP, Optional.empty())
                .cannotEnforce(CgroupLimits.none().withCpusetCpus("0").withCpuWeight(5)
                        .withIoLimit(IoLimit.of("7:0").withReadBps(1))))
                .hasValueSatisfying(reason -> assertThat(reason)
                        .contains("the cgroup v1 cpu controller is not mounted or not delegated to this user (no 'cpu'"
                                + " hierarchy in /proc/self/mountinfo, or none of its cgroups writable): a cpu weight needs it (cpu.shares)")
                        .contains("the cgroup v1 cpuset controller is not mounted or not delegated to this user (no"
                                + " 'cpuset' hierarchy in /proc/self/mountinfo, or none of its cgroups writable): a cpuset needs it")
                        .contains("the cgroup v1 blkio controller is not mounted")
                        .contains("io limit on 7:0: there is no block device 7:0"));
    }

    @Test
    void v2NamesMissingCpusetAndIoAndUnusableDevices() throws IOException {
        file(cg("job"), "cgroup.controllers", "cpu memory pids\n");
        file(root.resolve("sys/devices/loop3"), "dev", "7:3\n");
        Files.createDirectories(root.resolve("sys/dev/block"));
        Files.createSymbolicLink(root.resolve("sys/dev/block/7:3"), root.resolve("sys/devices/loop3"));
        CgroupManager manager = detect(V2_MOUNTINFO, "0::/job\n", NO_SWAP, Optional.empty());

        assertThat(manager.cannotEnforce(CgroupLimits.none().withMemoryHighBytes(1 << 20).withCpuWeight(50))).isEmpty();
        assertThat(manager.cannotEnforce(CgroupLimits.none().withCpusetCpus("0")
                .withIoLimit(IoLimit.of("7:3").withWriteBps(1 << 20)).withIoLimit(IoLimit.of("7:9"))))
                .hasValue("the cpuset controller is not delegated to the sandbox parent " + cg("job")
                        + " (its cgroup.controllers offers: cpu memory pids): a cpuset needs it; the io controller is"
                        + " not delegated to the sandbox parent " + cg("job") + " (its cgroup.controllers offers:"
                        + " cpu memory pids): an io limit needs it; the io limit on"
                        + " 7:9 sets no value: give readBps, writeBps, readIops or writeIops; io limit on 7:9: there is"
                        + " no block device 7:9 (" + root.resolve("sys/dev/block/7:9") + " does not exist; lsblk lists"
                        + " MAJ:MIN of the disks)");

        file(cg("job"), "cgroup.controllers", "cpuset cpu io memory pids\n");
        file(cg("job"), "cpuset.cpus.effective", "0-1\n");
        assertThat(manager.cannotEnforce(CgroupLimits.none().withCpusetCpus("1")
                .withIoLimit(IoLimit.of("7:3").withWriteBps(1 << 20)))).isEmpty();
        assertThat(manager.cannotEnforce(CgroupLimits.none().withCpusetCpus("1-2")))
                .hasValueSatisfying(reason -> assertThat(reason).startsWith("cpuset = \"1-2\" asks for CPUs 2,"));
    }

    @Test
    void v1CreateCopiesTheParentsCpusAndMemsIntoNewCpusetCgroups() {
        file(cg("cpuset"), "cpuset.cpus", "0-1\n");
        file(cg("cpuset"), "cpuset.mems", "0\n");
        Path memory = file(cg("memory/job"), "memory.limit_in_bytes", "max\n");
        Map<String, Path> parents = new LinkedHashMap<>();
        parents.put("memory", memory);
        parents.put("cpuset", cg("cpuset/configured"));
        // Like cgroupfs: mkdir makes the control files, empty in a new cpuset cgroup.
        CgroupFs kernel = new CgroupFs() {
            @Override
            public String read(Path file) throws IOException {
                return Files.exists(file) ? CgroupFs.REAL.read(file) : "";
            }

            @Override
            public void write(Path file, String value) throws IOException {
                Files.writeString(file, value);
            }
        };
        V1Host host = new V1Host(parents, false, new ControlFiles(kernel), CgroupManager.KILL_TIMEOUT);

        Cgroup cgroup = host.create("belljar-1");

        assertThat(read(cg("cpuset/configured/cpuset.cpus"))).isEqualTo("0-1");
        assertThat(read(cg("cpuset/configured/belljar-1/cpuset.cpus"))).isEqualTo("0-1");
        assertThat(read(cg("cpuset/configured/belljar-1/cpuset.mems"))).isEqualTo("0");
        assertThat(cgroup.procsFiles()).contains(cg("cpuset/configured/belljar-1/cgroup.procs"));
        cgroup.apply(CgroupLimits.none().withCpusetCpus("1"));
        assertThat(read(cg("cpuset/configured/belljar-1/cpuset.cpus"))).isEqualTo("1");
    }

    private static String procs(Path dir) {
        Path procs = dir.resolve("cgroup.procs");
        return Files.exists(procs) ? read(procs) : "";
    }

    /**
     * Enough of the kernel for delegation: cgroup.procs writes move a PID, cgroup.subtree_control
     * takes +/- words and is EBUSY while its cgroup holds processes. An empty cgroup.procs is
     * deleted so that rmdir works on the fake tree as it does on cgroupfs.
     */
    private final class NoInternalProcessesKernel implements CgroupFs {
        @Override
        public String read(Path file) throws IOException {
            return CgroupFs.REAL.read(file);
        }

        @Override
        public void write(Path file, String value) throws IOException {
            switch (file.getFileName().toString()) {
                case "cgroup.procs" -> {
                    try (Stream<Path> all = Files.walk(root)) {
                        for (Path procs : all.filter(p -> p.getFileName().toString().equals("cgroup.procs")).toList()) {
                            String left = read(procs).replace(value + "\n", "");
                            if (left.isEmpty()) {
                                Files.delete(procs);
                            } else {
                                Files.writeString(procs, left);
                            }
                        }
                    }
                    Files.writeString(file, procs(file.getParent()) + value + "\n");
                }
                case "cgroup.subtree_control" -> {
                    if (!procs(file.getParent()).isEmpty()) {
                        throw new FileSystemException(file.toString(), null, "Device or resource busy");
                    }
                    LinkedHashSet<String> words = new LinkedHashSet<>(
                            Arrays.asList(read(file).split(" ")));
                    words.remove("");
                    for (String word : value.split(" ")) {
                        if (word.startsWith("+")) {
                            words.add(word.substring(1));
                        } else {
                            words.remove(word.substring(1));
                        }
                    }
                    Files.writeString(file, String.join(" ", words));
                }
                default -> CgroupFs.REAL.write(file, value);
            }
        }
    }
}
