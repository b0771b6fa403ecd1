package dev.belljar.linux.ns;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LaunchCommandTest {
    private static final Path UNSHARE = Path.of("/usr/bin/unshare");

    @Test
    void joinsEveryCgroupThenUnsharesWithAReapingInit() {
        List<String> argv = new LaunchCommand(UNSHARE)
                .joinCgroup(List.of(Path.of("/cg/memory/x/cgroup.procs"), Path.of("/cg/cpu/x/cgroup.procs")))
                .build(List.of("java", "Main"));
        assertThat(argv.subList(0, 2)).containsExactly("/bin/sh", "-c");
        assertThat(argv.subList(4, 7)).containsExactly("/cg/memory/x/cgroup.procs", "/cg/cpu/x/cgroup.procs", "--");
        assertThat(argv.subList(7, argv.size())).containsExactly("/usr/bin/unshare", "--mount", "--uts", "--ipc",
                "--pid", "--mount-proc", "--fork", "--kill-child", "--", "/usr/bin/setsid",
                "/bin/sh", "-c", LaunchCommand.RUN_WITH_QUIET_INIT + "; exit $?", "belljar-init", "java", "Main");
    }

    @Test
    void hostPidNamespaceExecsTheProgramDirectly() {
        List<String> argv = new LaunchCommand(UNSHARE).pidNamespace(false).netNamespace(true).build(List.of("java"));
        assertThat(argv.subList(argv.indexOf("/usr/bin/unshare"), argv.size()))
                .containsExactly("/usr/bin/unshare", "--mount", "--uts", "--ipc", "--net", "--", "java");
    }

    @Test
    void timeNamespaceForksEvenWithoutAPidNamespace() {
        List<String> argv = new LaunchCommand(UNSHARE).pidNamespace(false).timeNamespace(3600)
                .userNamespace(LaunchCommand.UserMapping.ROOT).build(List.of("java"));
        assertThat(argv).containsSequence("--user", "--map-root-user")
                .containsSequence("--time", "--monotonic", "3600", "--boottime", "3600")
                .containsSequence("--fork", "--kill-child", "--", "/usr/bin/setsid", "/bin/sh", "-c",
                        LaunchCommand.RUN_WITH_QUIET_INIT + "; exit $?", "belljar-init", "java")
                .doesNotContain("--pid");
    }

    @Test
    void callerKeepsItsUidInsideAndTheNamespacesCapabilitiesAcrossExec() {
        List<String> argv = new LaunchCommand(UNSHARE).userNamespace(LaunchCommand.UserMapping.CALLER)
                .build(List.of("java"));
        assertThat(argv).containsSequence("--user", "--map-current-user", "--keep-caps").doesNotContain("--map-root-user");
    }

    @Test
    void initOpensTheProgramsFilesAndWritesItsExitStatus(@TempDir Path dir) throws Exception {
        Path stdout = dir.resolve("stdout");
        Path stderr = dir.resolve("stderr");
        Path status = dir.resolve("exit-status");
        Files.writeString(stdout, "before\n");
        List<String> argv = new LaunchCommand(UNSHARE).initFiles(stdout, stderr, status)
                .build(List.of("/bin/sh", "-c", "echo out; echo err >&2; ls /proc/self/fd; exit 3"));
        // The init alone, as setsid would run it inside the namespaces.
        List<String> init = argv.subList(argv.indexOf("/usr/bin/setsid") + 1, argv.size());
        Process process = new ProcessBuilder(init).redirectErrorStream(true).start();
        assertThat(process.waitFor()).isEqualTo(3);
        assertThat(Files.readString(stdout)).as("appended").startsWith("before\nout\n")
                .as("the exit status file's descriptor stays the init's")
                .doesNotContainPattern("(?m)^" + LaunchCommand.EXIT_STATUS_FD + "$");
        assertThat(Files.readString(stderr)).isEqualTo("err\n");
        assertThat(Files.readString(status)).isEqualTo("3\n");
    }

    @Test
    void joinOnlyRunsTheProgramInTheCgroupWithoutNamespaces() {
        List<String> argv = LaunchCommand.inCgroup(List.of(Path.of("/cg/x/cgroup.procs")), List.of("criu", "restore"));
        assertThat(argv.subList(3, argv.size())).containsExactly("belljar-join", "/cg/x/cgroup.procs", "--", "criu", "restore");
    }
}
