package dev.belljar;

import dev.belljar.spec.SpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.Serializable;
import java.net.URISyntaxException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static dev.belljar.assertj.BelljarAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A tmpfs or hidden path over a directory that holds class path entries (a checkout or a Maven
 * repository under /tmp, say) keeps those entries visible, read-only, and nothing else: here the
 * build directory above this module's classes and test classes.
 */
@ExtendWith(BelljarExtension.class)
class CoveredClassPathTest extends KernelTest {

    /** The directory of this class's class path entry: target/test-classes. */
    private static Path testClasses() {
        try {
            return Path.of(CoveredClassPathTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loaded first in the child, after the mounts: its class file comes through the bound-back entry. */
    static final class LoadedAfterTheMounts implements Serializable {
        String greeting() {
            return "loaded from " + testClasses();
        }
    }

    @Test
    void aTmpfsOverTheBuildDirectoryKeepsTheClassPathVisibleReadOnly(Sandbox sandbox) {
        Path build = testClasses().getParent();
        String buildDir = build.toString();
        SandboxResult result = sandbox.with(spec -> spec.tmpfs(buildDir + ":16M")).call(() -> {
            try (Stream<Path> listing = Files.list(Path.of(buildDir))) {
                List<String> names = listing.map(path -> path.getFileName().toString()).sorted().toList();
                assertThat(names).as("only the class path entries are back").contains("test-classes")
                        .doesNotContain("surefire-reports", "maven-status");
            }
            Path inEntry = Path.of(buildDir, "test-classes", "written-inside");
            assertThatThrownBy(() -> Files.writeString(inEntry, "x")).isInstanceOf(FileSystemException.class)
                    .hasMessageContaining("Read-only file system");
            Files.writeString(Path.of(buildDir, "fresh"), "the tmpfs itself is writable");
            return new LoadedAfterTheMounts().greeting();
        });
        assertThat(result).succeeded();
        assertThat(result.value(String.class)).isEqualTo("loaded from " + testClasses());
        assertThat(build.resolve("fresh")).doesNotExist();
    }

    @Test
    void aHiddenBuildDirectoryKeepsTheClassPathReachableButUnlisted(Sandbox sandbox) {
        String buildDir = testClasses().getParent().toString();
        SandboxResult result = sandbox.with(spec -> spec.hidden(buildDir)).call(() -> {
            // Without DAC_READ_SEARCH the directory cannot be listed; with it, it shows the mount points alone.
            try (Stream<Path> listing = Files.list(Path.of(buildDir))) {
                assertThat(listing.map(path -> path.getFileName().toString()).toList()).doesNotContain("surefire-reports");
            } catch (AccessDeniedException refused) {
                assertThat(refused.getFile()).isEqualTo(buildDir);
            }
            assertThat(Path.of(buildDir, "surefire-reports")).doesNotExist();
            return new LoadedAfterTheMounts().greeting();
        });
        assertThat(result).succeeded();
    }

    @Test
    void aCoverThatIsAClassPathEntryOrInsideTheJdkIsRefused(Sandbox sandbox) {
        String entry = testClasses().toString();
        assertThatThrownBy(() -> sandbox.with(spec -> spec.tmpfs(entry)).run(() -> { }))
                .isInstanceOf(SpecException.class)
                .hasMessageContaining("tmpfs = \"" + entry + "\" would cover " + entry + ", which the sandbox's JVM loads"
                        + " classes or libraries from");
        String jdkLib = Path.of(System.getProperty("java.home"), "lib").toString();
        assertThatThrownBy(() -> sandbox.with(spec -> spec.hidden(jdkLib)).run(() -> { }))
                .isInstanceOf(SpecException.class)
                .hasMessageContaining("hidden = \"" + jdkLib + "\" would cover part of " + System.getProperty("java.home"));
    }

    @Test
    void aTmpfsOverTheJdksParentKeepsTheJdk(Sandbox sandbox) throws IOException {
        String above = Path.of(System.getProperty("java.home")).getParent().toString();
        SandboxResult result = sandbox.with(spec -> spec.tmpfs(above)).call(() -> {
            // A class of the JDK not loaded before, from the runtime image under the tmpfs.
            return java.util.zip.Adler32.class.getName() + " " + Files.exists(Path.of(System.getProperty("java.home"), "lib"));
        });
        assertThat(result).succeeded();
        assertThat(result.value(String.class)).isEqualTo("java.util.zip.Adler32 true");
    }
}
