package dev.belljar;

import dev.belljar.internal.channel.WorkDir;
import dev.belljar.internal.parent.HostSupport;
import dev.belljar.linux.cgroup.Cgroup;
import dev.belljar.linux.cgroup.CgroupManager;
import dev.belljar.linux.cgroup.Leftovers;
import dev.belljar.linux.cgroup.SandboxName;
import dev.belljar.linux.ns.LaunchCommand;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

/**
 * A test JVM killed with SIGKILL runs no shutdown hook: its watchdog kills what is left in its
 * sandboxes and removes their cgroups and work dirs. The test JVM is one of its own, started by
 * {@link #main} with this module's test class path; it is killed while its isolated test sleeps.
 * And what a JVM gone before left behind, the next test run removes.
 */
class KilledTestJvmTest extends KernelTest {
    private static final Pattern SANDBOX = Pattern.compile("/(belljar-[0-9]+-[0-9]+)$", Pattern.MULTILINE);

    @TempDir
    Path tmp;

    /** Run in the test JVM of its own: each test starts {@code sleep 600} in its sandbox and waits. */
    static class SleepingInTheSandbox {
        @Test
        @Isolated(pid = true)
        void withPidNamespace() throws Exception {
            sleepAndWait();
        }

        @Test
        @Isolated(pid = false)
        void withoutPidNamespace() throws Exception {
            sleepAndWait();
        }

        private static void sleepAndWait() throws Exception {
            new ProcessBuilder("sleep", "600").start();
            Thread.sleep(TimeUnit.MINUTES.toMillis(10));
        }
    }

    /** A test JVM that runs the method {@code args[0]} of {@link SleepingInTheSandbox}. */
    public static void main(String[] args) {
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(selectMethod(SleepingInTheSandbox.class, args[0])).build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"withPidNamespace", "withoutPidNamespace"})
    void nothingIsLeftOnceTheTestJvmIsKilled(String method) throws Exception {
        Assumptions.assumeFalse(rootless() && method.equals("withoutPidNamespace"),
                "a rootless sandbox always has its own PID namespace (IsolationInsideTest checks the refusal)");
        Path output = tmp.resolve("test-jvm.out");
        Process testJvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Djava.io.tmpdir=" + WorkDir.root(),
                KilledTestJvmTest.class.getName(), method)
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        String prefix = "belljar-" + testJvm.pid() + "-";
        try (CgroupManager manager = CgroupManager.detect(Optional.empty())) {
            Leftovers leftovers = manager.leftovers(List.of(WorkDir.root()));
            try {
                long sleep = await("sleep 600 in a sandbox of the test JVM " + testJvm.pid())
                        .atMost(Duration.ofMinutes(3))
                        .until(() -> sleepingIn(prefix), Optional::isPresent).orElseThrow();
                SandboxName sandbox = sandboxOf(sleep);
                List<Path> directories = leftovers.directoriesOf(sandbox);
                assertThat(directories).as("cgroups and work dir of %s", sandbox).contains(WorkDir.root()
                        .resolve(sandbox.toString())).hasSizeGreaterThan(1);

                testJvm.destroyForcibly();

                await("the processes, cgroups and work dir of " + sandbox + " gone").atMost(Duration.ofMinutes(2))
                        .untilAsserted(() -> {
                            assertThat(runs(sleep)).as("sleep %s", sleep).isFalse();
                            assertThat(directories).allSatisfy(dir -> assertThat(dir).doesNotExist());
                            assertThat(processesAbout(prefix, testJvm.pid())).as("watchdog and its clean-up").isEmpty();
                        });
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\nThe test JVM wrote:\n" + Files.readString(output), e);
            } finally {
                testJvm.destroyForcibly().waitFor();
                // Should the watchdog have failed: leave nothing behind all the same.
                leftovers.removeAll();
            }
        }
    }

    @Test
    void aTestRunFirstRemovesWhatTestJvmsGoneBeforeLeftBehind() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        SandboxName left = new SandboxName(ended.pid(), 1);
        Process sleep;
        try (CgroupManager manager = CgroupManager.detect(Optional.empty())) {
            Cgroup cgroup = manager.create(left.toString());
            sleep = new ProcessBuilder(LaunchCommand.inCgroup(cgroup.procsFiles(), List.of("sleep", "600"))).start();
            Files.writeString(Files.createDirectory(WorkDir.root().resolve(left.toString())).resolve("stdout"), "output");
            List<Path> directories = manager.leftovers(List.of(WorkDir.root())).directoriesOf(left);
            try {
                await("sleep 600 in " + left).atMost(Duration.ofMinutes(1)).until(() -> cgroup.pids().contains(sleep.pid()));

                HostSupport.detect(Optional.empty(), false).close();

                assertThat(sleep.waitFor(1, TimeUnit.MINUTES)).as("the process left in %s killed", left).isTrue();
                assertThat(directories).hasSizeGreaterThan(1).allSatisfy(dir -> assertThat(dir).doesNotExist());
            } finally {
                sleep.destroyForcibly().waitFor();
                cgroup.close();
                manager.leftovers(List.of(WorkDir.root())).removeAll();
            }
        }
    }

    /** The PID of a {@code sleep 600} in a cgroup whose name begins with {@code prefix}. */
    private static Optional<Long> sleepingIn(String prefix) {
        return pids().filter(pid -> Arrays.equals(commandLine(pid), new String[] {"sleep", "600"}))
                .filter(pid -> read(Path.of("/proc", Long.toString(pid), "cgroup")).contains("/" + prefix))
                .findFirst();
    }

    private static SandboxName sandboxOf(long pid) {
        Matcher matcher = SANDBOX.matcher(read(Path.of("/proc", Long.toString(pid), "cgroup")));
        assertThat(matcher.find()).as("/proc/%s/cgroup names a sandbox", pid).isTrue();
        return SandboxName.parse(matcher.group(1)).orElseThrow();
    }

    /** Whether {@code pid} runs: a zombie that the host's init has not reaped yet does not. */
    private static boolean runs(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        return !stat.isEmpty() && !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    }

    /** The watchdog (its arguments hold the prefix) and the clean-up it execs (the JVM's PID after the class). */
    private static List<Long> processesAbout(String prefix, long testJvm) {
        return pids().filter(pid -> {
            List<String> args = List.of(commandLine(pid));
            int cleanUp = args.indexOf(Leftovers.class.getName());
            return args.contains(prefix) || cleanUp >= 0 && cleanUp + 1 < args.size()
                    && args.get(cleanUp + 1).equals(Long.toString(testJvm));
        }).toList();
    }

    private static Stream<Long> pids() {
        try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
            return proc.map(path -> path.getFileName().toString()).filter(name -> name.matches("[0-9]+"))
                    .map(Long::valueOf).toList().stream();
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc", e);
        }
    }

    private static String[] commandLine(long pid) {
        String cmdline = read(Path.of("/proc", Long.toString(pid), "cmdline"));
        return cmdline.isEmpty() ? new String[0] : cmdline.split("\0");
    }

    /** The file's content; empty when it is gone (the process ended). */
    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
