package dev.belljar;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.displayName;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;

/** What a test sees inside its sandbox, and that the parent runs each piece exactly once. */
class IsolationInsideTest extends KernelTest {
    static final String JOURNAL_PROPERTY = "belljar.test.journal";
    static final String NET_NS_PROPERTY = "belljar.test.parentNetNamespace";

    @TempDir
    Path tmp;

    private Events run(Class<?> cases, String method) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectMethod(cases, method)).execute().testEvents();
    }

    @Test
    void pidNamespaceShowsOnlyTheSandboxesProcesses() {
        run(Inside.class, "seesOnlyItsOwnProcesses").assertStatistics(s -> s.succeeded(1));
    }

    @Test
    void hostPidNamespaceWhenPidIsFalse() {
        if (rootless()) {
            assertRefusedRootless(run(Inside.class, "seesHostProcesses"),
                    "pid = false would let a sandbox of a non-root test JVM reach the host's processes");
            return;
        }
        run(Inside.class, "seesHostProcesses").assertStatistics(s -> s.succeeded(1));
    }

    @Test
    void privateNetworkHasOnlyLoopbackUp() {
        run(Inside.class, "privateNetwork").assertStatistics(s -> s.succeeded(1));
    }

    @Test
    void noNetworkHasLoopbackDown() {
        run(Inside.class, "noNetwork").assertStatistics(s -> s.succeeded(1));
    }

    @Test
    void hostNetworkIsTheHosts() throws IOException {
        System.setProperty(NET_NS_PROPERTY, Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString());
        try {
            run(Inside.class, "hostNetwork").assertStatistics(s -> s.succeeded(1));
        } finally {
            System.clearProperty(NET_NS_PROPERTY);
        }
    }

    @Test
    void hostnameIsSetInItsOwnUtsNamespace() {
        run(Inside.class, "hostname").assertStatistics(s -> s.succeeded(1));
    }

    @Test
    void jvmSeesItsLimits() {
        run(Inside.class, "jvmSeesLimits").assertStatistics(s -> s.succeeded(1));
    }

    @Test
    void trivialTestPassesUnder64M() {
        run(Inside.class, "tinyMemory").assertStatistics(s -> s.succeeded(1));
    }

    @Test
    void lifecycleMethodsRunOnceAndOnlyInTheChild() throws IOException {
        Path journal = tmp.resolve("journal");
        System.setProperty(JOURNAL_PROPERTY, journal.toString());
        try {
            EngineTestKit.engine("junit-jupiter").selectors(selectMethod(IsolatedClass.class, "first"),
                            selectMethod(IsolatedClass.class, "second")).execute()
                    .testEvents().assertStatistics(s -> s.succeeded(2).failed(0));
        } finally {
            System.clearProperty(JOURNAL_PROPERTY);
        }
        List<String> lines = Files.readAllLines(journal);
        String parent = Long.toString(ProcessHandle.current().pid());
        assertThat(lines).noneMatch(line -> line.endsWith(" " + parent));
        assertThat(lines.stream().map(line -> line.split(" ")[0]))
                .containsExactlyInAnyOrder("beforeAll", "beforeEach", "test", "afterEach", "afterAll",
                        "beforeAll", "beforeEach", "test", "afterEach", "afterAll");
    }

    @Test
    void nestedClassesInheritTheOuterSandbox() {
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(IsolatedClass.Inner.class)).execute()
                .testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
    }

    @Test
    void eachParameterizedInvocationRunsExactlyItsArgument() {
        Events events = EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(Inside.class, "onlyTwoFails", "int")).execute().testEvents();
        events.assertStatistics(s -> s.succeeded(2).failed(1));
        events.assertThatEvents().haveExactly(1, event(test(), displayName("[2] 2"), finishedWithFailure()));
    }

    @Test
    void repeatedTestInvocationsEachRunIsolated() {
        EngineTestKit.engine("junit-jupiter").selectors(selectMethod(Inside.class, "repeated",
                        "org.junit.jupiter.api.RepetitionInfo")).execute().testEvents()
                .assertStatistics(s -> s.succeeded(3));
    }

    @Test
    void nothingOfBelljarIsLeftBehind() throws IOException {
        // A rootless sandbox always has its own PID namespace: its orphans die with its init.
        run(Inside.class, rootless() ? "leavesAChildProcessBehindInItsPidNamespace" : "leavesAChildProcessBehind")
                .assertStatistics(s -> s.succeeded(1));
        String prefix = "belljar-" + ProcessHandle.current().pid() + "-";
        try (Stream<Path> cgroups = Files.find(Path.of("/sys/fs/cgroup"), 8,
                (path, attrs) -> attrs.isDirectory() && path.getFileName() != null
                        && path.getFileName().toString().startsWith(prefix))) {
            assertThat(cgroups).isEmpty();
        }
        try (Stream<Path> dirs = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(dirs).noneMatch(dir -> dir.getFileName().toString().startsWith(prefix));
        }
        assertThat(descendantsButTheWatchdog()).isEmpty();
    }

    static class Inside {
        @Test
        @Isolated
        void seesOnlyItsOwnProcesses() {
            assertThat(ProcessHandle.current().pid()).isLessThan(10);
            assertThat(ProcessHandle.allProcesses().count()).isLessThan(5);
        }

        @Test
        @Isolated(pid = false)
        void seesHostProcesses() {
            assertThat(ProcessHandle.current().pid()).isGreaterThan(1);
            assertThat(ProcessHandle.current().parent().flatMap(p -> p.parent())).isPresent();
            assertThat(ProcessHandle.allProcesses().count()).isGreaterThan(3);
        }

        @Test
        @Isolated(net = Net.PRIVATE)
        void privateNetwork() throws Exception {
            assertThat(interfacesOfThisNetworkNamespace()).containsExactly("lo");
            assertThat(loopbackConnects()).isTrue();
            // Loopback came up through JNA, which loaded the library Belljar unpacked once, not a fresh copy.
            assertThat(System.getProperty("jnidispatch.path")).containsPattern("/belljar-native-[0-9]+/jna-");
        }

        @Test
        @Isolated(net = Net.NONE)
        void noNetwork() throws Exception {
            assertThat(interfacesOfThisNetworkNamespace()).containsExactly("lo");
            assertThat(loopbackConnects()).isFalse();
        }

        /** /proc/net/dev lists the interfaces of the reader's network namespace. */
        private static List<String> interfacesOfThisNetworkNamespace() throws IOException {
            return Files.readAllLines(Path.of("/proc/net/dev")).stream().skip(2)
                    .map(line -> line.substring(0, line.indexOf(':')).trim()).toList();
        }

        private static boolean loopbackConnects() {
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                 Socket client = new Socket()) {
                client.connect(server.getLocalSocketAddress(), 1000);
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        @Test
        @Isolated
        void hostNetwork() throws Exception {
            assertThat(Files.readSymbolicLink(Path.of("/proc/self/ns/net")))
                    .hasToString(System.getProperty(NET_NS_PROPERTY));
        }

        @Test
        @Isolated(hostname = "sandbox-7")
        void hostname() throws Exception {
            assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname")).trim()).isEqualTo("sandbox-7");
        }

        @Test
        @Isolated(memory = "256M", cpu = "1.5")
        void jvmSeesLimits() {
            assertThat(Runtime.getRuntime().maxMemory()).isLessThan(256L << 20).isGreaterThan(64L << 20);
            assertThat(Runtime.getRuntime().availableProcessors()).isEqualTo(2);
        }

        @Test
        @Isolated(memory = "64M")
        void tinyMemory() {
            assertThat(new byte[4 << 20]).hasSize(4 << 20);
        }

        @ParameterizedTest
        @ValueSource(ints = {1, 2, 3})
        @Isolated
        void onlyTwoFails(int value) {
            assertThat(value).isNotEqualTo(2);
        }

        @RepeatedTest(3)
        @Isolated
        void repeated(RepetitionInfo info) {
            assertThat(info.getCurrentRepetition()).isBetween(1, 3);
        }

        @Test
        @Isolated(pid = false)
        void leavesAChildProcessBehind() throws IOException {
            new ProcessBuilder("sleep", "600").start();
        }

        @Test
        @Isolated
        void leavesAChildProcessBehindInItsPidNamespace() throws IOException {
            new ProcessBuilder("sleep", "600").start();
        }
    }

    @Isolated(memory = "256M")
    static class IsolatedClass {
        @BeforeAll
        static void beforeAll() throws IOException {
            journal("beforeAll");
        }

        @BeforeEach
        void beforeEach() throws IOException {
            journal("beforeEach");
        }

        @Test
        void first() throws IOException {
            journal("test");
        }

        @Test
        void second() throws IOException {
            journal("test");
        }

        @AfterEach
        void afterEach() throws IOException {
            journal("afterEach");
        }

        @AfterAll
        static void afterAll() throws IOException {
            journal("afterAll");
        }

        static void journal(String event) throws IOException {
            String file = System.getProperty(JOURNAL_PROPERTY);
            if (file != null) {
                Files.writeString(Path.of(file), event + " " + ProcessHandle.current().pid() + "\n",
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }

        @Nested
        class Inner {
            @Test
            void runsInTheOuterSandbox() {
                assertThat(ProcessHandle.current().pid()).isLessThan(10);
            }
        }
    }
}
