package dev.belljar;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.io.File;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/** The mount namespace of a sandbox: read-only host, writable exceptions, tmpfs, hidden paths, own cgroupfs. */
class MountsTest extends KernelTest {
    static final String DIR = "belljar.test.mounts.dir";
    static final String WRITABLE = "belljar.test.mounts.writable";

    @TempDir
    Path tmp;

    @AfterEach
    void clearProperty() {
        System.clearProperty(DIR);
    }

    private Events run(String name) {
        System.setProperty(DIR, tmp.toString());
        return EngineTestKit.engine("junit-jupiter").selectors(selectMethod(Cases.class, Arrays.stream(
                Cases.class.getDeclaredMethods()).filter(m -> m.getName().equals(name)).findFirst().orElseThrow()))
                .execute().testEvents();
    }

    private void succeeds(String name) {
        run(name).assertThatEvents().haveExactly(1, event(test(name), finishedSuccessfully()));
    }

    @Test
    void readOnlyHostWithAWritableException() throws IOException {
        Path writable = Files.createTempDirectory(Path.of("/var/tmp"), "belljar-mounts-test-");
        System.setProperty(WRITABLE, writable.toString());
        try {
            succeeds("readOnlyHost");
            assertThat(writable.resolve("made-inside")).hasContent("kept");
            assertThat(tmp.resolve("not-made")).doesNotExist();
        } finally {
            System.clearProperty(WRITABLE);
            Files.deleteIfExists(writable.resolve("made-inside"));
            Files.delete(writable);
        }
    }

    @Test
    void tmpfsIsFreshEmptyAndSizeLimited() throws IOException {
        Files.writeString(tmp.resolve("host-file"), "on the host");
        succeeds("freshTmp");
        assertThat(tmp.resolve("host-file")).hasContent("on the host");
        assertThat(tmp.resolve("written-inside")).doesNotExist();
    }

    @Test
    void hiddenPathsAreEmptyInside() throws IOException {
        Files.createDirectory(tmp.resolve("secrets"));
        Files.writeString(tmp.resolve("secrets/key"), "hunter2");
        Files.writeString(tmp.resolve("token"), "t0ken");
        succeeds("hiddenPaths");
        assertThat(tmp.resolve("secrets/key")).hasContent("hunter2");
    }

    @Test
    void cgroupNamespaceShowsTheSandboxAsTheRootWithItsOwnLimits() {
        succeeds("ownCgroupfs");
    }

    @Test
    void tmpfsOrHiddenOverTheJdksDirectoryKeepsTheJdk() {
        assumeTrue(Path.of(System.getProperty("java.home")).startsWith("/usr/"), "the JDK lives under /usr");
        succeeds("tmpfsOverTheJdk");
        succeeds("hiddenJdk");
    }

    @Test
    void relativePathsAreRefused() {
        run("relativeReadOnly").assertThatEvents().haveExactly(1, event(test("relativeReadOnly"), finishedWithFailure(
                message(m -> m.contains("readOnly = \"etc\" is not an absolute path")))));
    }

    static class Cases {
        private static Path dir() {
            return Path.of(System.getProperty(DIR));
        }

        @Test
        @Isolated(readOnly = "/", writable = "/var/tmp")
        void readOnlyHost() throws IOException {
            Path writable = Path.of(System.getProperty(WRITABLE));
            assertThatThrownBy(() -> Files.writeString(dir().resolve("not-made"), "x"))
                    .isInstanceOf(FileSystemException.class).hasMessageContaining("Read-only file system");
            assertThatThrownBy(() -> Files.writeString(Path.of("/etc/belljar-should-not-exist"), "x"))
                    .isInstanceOf(FileSystemException.class);
            Files.writeString(Path.of("/dev/null"), "devices stay usable");
            Files.writeString(writable.resolve("made-inside"), "kept");
        }

        @Test
        @Isolated(tmpfs = "/tmp:8M")
        void freshTmp() throws IOException {
            Path dir = Path.of("/tmp");
            // A class path under /tmp (a checkout there) stays reachable through the fresh one.
            Set<Path> classPathUnderTmp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                    .map(Path::of).filter(entry -> entry.startsWith(dir)).map(entry -> dir.resolve(dir.relativize(entry).getName(0)))
                    .collect(Collectors.toSet());
            try (var listing = Files.list(dir)) {
                assertThat(listing).as("nothing of the host's /tmp but what the class path needs")
                        .allMatch(classPathUnderTmp::contains);
            }
            Files.writeString(dir.resolve("small"), "fits");
            assertThatThrownBy(() -> Files.write(dir.resolve("large"), new byte[16 << 20]))
                    .isInstanceOf(IOException.class).hasMessageContaining("No space left");
        }

        @Test
        @Isolated(hidden = {"/tmp"})
        void hiddenPaths() throws IOException {
            // Without DAC_READ_SEARCH even root cannot list the empty mode-000 directory; with it, it is empty.
            try (var listing = Files.list(Path.of("/tmp"))) {
                assertThat(listing).isEmpty();
            } catch (AccessDeniedException refused) {
                assertThat(refused.getFile()).isEqualTo("/tmp");
            }
        }

        @Test
        @Isolated(memory = "96M", cgroupNamespace = true)
        void ownCgroupfs(SandboxContext sandbox) throws IOException {
            String self = Files.readString(Path.of("/proc/self/cgroup"));
            assertThat(sandbox.memoryCurrentBytes()).isPositive();
            if (Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"))) {
                assertThat(self.trim()).isEqualTo("0::/");
                assertThat(Files.readString(Path.of("/sys/fs/cgroup/memory.max")).trim()).isEqualTo(Long.toString(96L << 20));
            } else {
                assertThat(self).containsPattern("(?m):memory:/$");
                assertThat(Files.readString(Path.of("/sys/fs/cgroup/memory/memory.limit_in_bytes")).trim())
                        .isEqualTo(Long.toString(96L << 20));
            }
        }

        @Test
        @Isolated(tmpfs = "/usr")
        void tmpfsOverTheJdk() throws IOException {
            assertThat(Path.of(System.getProperty("java.home"), "lib")).isDirectory();
            try (var listing = Files.list(Path.of("/usr"))) {
                assertThat(listing.map(path -> path.getFileName().toString())).containsExactly("lib");
            }
        }

        @Test
        @Isolated(hidden = "/usr")
        void hiddenJdk() {
            assertThat(Path.of(System.getProperty("java.home"), "lib")).isDirectory();
            assertThat(Path.of("/usr/bin")).doesNotExist();
        }

        @Test
        @Isolated(readOnly = "etc")
        void relativeReadOnly() {
        }
    }
}
