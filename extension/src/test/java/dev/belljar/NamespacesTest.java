package dev.belljar;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/** User, time, UTS and IPC namespaces, proven from inside. */
class NamespacesTest extends KernelTest {
    static final String PROPERTY = "belljar.test.namespaces";

    @TempDir
    Path tmp;

    private static Events run(String name) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectMethod(Cases.class, name)).execute().testEvents();
    }

    private static void runWith(String value, String name) {
        System.setProperty(PROPERTY, value);
        try {
            run(name).assertThatEvents().haveExactly(1, event(test(name), finishedSuccessfully()));
        } finally {
            System.clearProperty(PROPERTY);
        }
    }

    @Test
    void nobodyGetsEaccesAndCreatesFilesOwnedByNobody() throws IOException {
        if (rootless()) {
            assertRefusedRootless(run("asNobody"), "user = NOBODY needs a second uid (65534)");
            return;
        }
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path rootOnly = Files.writeString(tmp.resolve("root-only"), "secret");
        Files.setPosixFilePermissions(rootOnly, PosixFilePermissions.fromString("rw-------"));
        runWith(tmp.toString(), "asNobody");
        assertThat(Files.getAttribute(tmp.resolve("made-by-nobody"), "unix:uid")).isEqualTo(65534);
    }

    @Test
    void rootInsideAUserNamespace() throws IOException {
        runWith(Files.readSymbolicLink(Path.of("/proc/self/ns/user")).toString(), "asRootInUserNamespace");
    }

    @Test
    void clocksRunAheadInATimeNamespace() {
        run("thirtyDaysUp").assertThatEvents().haveExactly(1, event(test("thirtyDaysUp"), finishedSuccessfully()));
    }

    @Test
    void hostnameAndDomainnameAreTheSandboxes() {
        run("names").assertThatEvents().haveExactly(1, event(test("names"), finishedSuccessfully()));
    }

    @Test
    void sharedMemoryOfTheHostIsInvisibleInside() throws Exception {
        Process ipcmk = new ProcessBuilder("ipcmk", "-M", "4096").start();
        String out = new String(ipcmk.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(ipcmk.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String shmid = out.replaceAll("\\D+", "");
        try {
            assertThat(Files.readAllLines(Path.of("/proc/sysvipc/shm"))).anyMatch(l -> column(l, 1).equals(shmid));
            runWith(shmid, "hostSharedMemoryInvisible");
        } finally {
            new ProcessBuilder("ipcrm", "-m", shmid).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void fractionalUptimeIsRejected() {
        run("badUptime").assertThatEvents().haveExactly(1, event(test("badUptime"), finishedWithFailure(message(m ->
                m.contains("uptime = \"1.5s\" is out of range: use whole seconds")))));
    }

    static String column(String line, int index) {
        String[] columns = line.trim().split("\\s+");
        return columns.length > index ? columns[index] : "";
    }

    static class Cases {
        @Test
        @Isolated(user = User.NOBODY)
        void asNobody() throws IOException {
            Path dir = Path.of(System.getProperty(PROPERTY));
            assertThat(Files.readAllLines(Path.of("/proc/self/status"))).anyMatch(l -> l.matches("Uid:\\s+65534\\s+65534\\s+65534\\s+65534"));
            assertThatThrownBy(() -> Files.readString(dir.resolve("root-only"))).isInstanceOf(AccessDeniedException.class);
            Files.writeString(dir.resolve("made-by-nobody"), "hello");
        }

        @Test
        @Isolated(user = User.ROOT)
        void asRootInUserNamespace() throws IOException {
            assertThat(Files.readSymbolicLink(Path.of("/proc/self/ns/user")).toString())
                    .isNotEqualTo(System.getProperty(PROPERTY));
            assertThat(Files.readString(Path.of("/proc/self/uid_map")).trim()).startsWith("0");
            assertThat(Files.readAllLines(Path.of("/proc/self/status"))).anyMatch(l -> l.matches("Uid:\\s+0\\s+0\\s+0\\s+0"));
        }

        @Test
        @Isolated(uptime = "30d")
        void thirtyDaysUp() throws IOException {
            double uptimeSeconds = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
            assertThat(uptimeSeconds).isGreaterThan(30 * 86400);
            assertThat(System.nanoTime()).isGreaterThan(30L * 86400 * 1_000_000_000L);
        }

        @Test
        @Isolated(hostname = "box", domainname = "belljar.test")
        void names() throws IOException {
            assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname")).trim()).isEqualTo("box");
            assertThat(Files.readString(Path.of("/proc/sys/kernel/domainname")).trim()).isEqualTo("belljar.test");
        }

        @Test
        @Isolated
        void hostSharedMemoryInvisible() throws IOException {
            String shmid = System.getProperty(PROPERTY);
            assertThat(Files.readAllLines(Path.of("/proc/sysvipc/shm"))).noneMatch(l -> column(l, 1).equals(shmid));
        }

        @Test
        @Isolated(uptime = "1.5s")
        void badUptime() {
        }
    }

}
