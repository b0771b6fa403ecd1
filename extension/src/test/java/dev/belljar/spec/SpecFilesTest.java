package dev.belljar.spec;

import dev.belljar.Net;
import dev.belljar.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpecFilesTest {
    private static final String PROFILES = """
            profiles:
              tiny:     { memory: 64M, pids: 64 }
              hermetic: { extends: tiny, net: PRIVATE, expect: { peakMemory: "< 48M" } }
            """;

    @TempDir
    Path classPath;

    /** A class loader that sees only {@link #classPath}, not the test class path. */
    private ClassLoader loader() throws IOException {
        return new URLClassLoader(new URL[] {classPath.toUri().toURL()}, null);
    }

    private void write(String path, String content) throws IOException {
        Path file = classPath.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private String url(String path) throws IOException {
        return classPath.resolve(path).toUri().toURL().toString();
    }

    @Test
    void loadsAProfileFromBelljarYamlAtTheClassPathRoot() throws IOException {
        write("belljar.yaml", PROFILES);

        SandboxSpec hermetic = SpecFiles.profile("hermetic", loader());

        assertThat(hermetic.memoryBytes()).hasValue(64L << 20);
        assertThat(hermetic.net()).isEqualTo(Net.PRIVATE);
        assertThat(hermetic.expect().bounds()).containsOnlyKeys(Metric.PEAK_MEMORY);
    }

    @Test
    void parsesBelljarYamlOncePerUrl() throws IOException {
        write("belljar.yaml", PROFILES);
        ClassLoader loader = loader();
        SandboxSpec first = SpecFiles.profile("tiny", loader);

        write("belljar.yaml", "profiles: { tiny: { memory: 1G } }");

        assertThat(SpecFiles.profile("tiny", loader)).isSameAs(first);
        assertThat(SpecFiles.profile("tiny", loader())).isSameAs(first);
    }

    @Test
    void servesParallelTests() throws Exception {
        write("belljar.yaml", PROFILES);
        ClassLoader loader = loader();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<SandboxSpec>> lookups = IntStream.range(0, 64)
                    .mapToObj(i -> pool.submit(() -> SpecFiles.profile(i % 2 == 0 ? "tiny" : "hermetic", loader)))
                    .toList();
            for (int i = 0; i < lookups.size(); i++) {
                assertThat(lookups.get(i).get().net()).isEqualTo(i % 2 == 0 ? Net.HOST : Net.PRIVATE);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anUnknownProfileNamesTheFileAndItsProfiles() throws IOException {
        write("belljar.yaml", PROFILES);

        assertThatThrownBy(() -> SpecFiles.profile("hermetc", loader()))
                .isInstanceOf(SpecException.class)
                .hasMessage("no profile \"hermetc\" in " + url("belljar.yaml")
                        + " (did you mean hermetic?); its profiles: tiny, hermetic");
    }

    @Test
    void anInvalidBelljarYamlNamesItsUrlAndLine() throws IOException {
        write("belljar.yaml", "profiles:\n  tiny: { memory: 64Q }\n");

        assertThatThrownBy(() -> SpecFiles.profile("tiny", loader()))
                .hasMessageStartingWith(url("belljar.yaml") + " line 2: profiles.tiny.memory = \"64Q\" is not a size");
    }

    @Test
    void aMissingBelljarYamlSaysWhereItIsLookedFor() {
        assertThatThrownBy(() -> SpecFiles.profile("tiny", loader()))
                .isInstanceOf(SpecException.class)
                .hasMessage("profile \"tiny\" not found: there is no belljar.yaml at the root of the test class path"
                        + " (ClassLoader.getResource(\"belljar.yaml\") found nothing); declare profiles in"
                        + " src/test/resources/belljar.yaml, e.g. profiles: { tiny: { memory: 64M } }");
    }

    @Test
    void loadsASpecFileThatExtendsAProfile() throws IOException {
        write("belljar.yaml", PROFILES);
        write("sandboxes/strict.yaml", "extends: hermetic\nmemory: 32M\nexpect: { outcome: OOM_KILLED }\n");

        SandboxSpec strict = SpecFiles.file("sandboxes/strict.yaml", loader());

        assertThat(strict.memoryBytes()).hasValue(32L << 20);
        assertThat(strict.pids()).hasValue(64);
        assertThat(strict.net()).isEqualTo(Net.PRIVATE);
        assertThat(strict.expect().outcome()).isEqualTo(Outcome.OOM_KILLED);
        assertThat(strict.expect().bounds()).containsOnlyKeys(Metric.PEAK_MEMORY);
    }

    @Test
    void acceptsALeadingSlash() throws IOException {
        write("sandboxes/small.yaml", "memory: 16M\n");

        assertThat(SpecFiles.file("/sandboxes/small.yaml", loader()).memoryBytes()).hasValue(16L << 20);
    }

    @Test
    void aSpecFileExtendingWithoutBelljarYamlSaysSo() throws IOException {
        write("sandboxes/strict.yaml", "memory: 32M\nextends: tiny\n");

        assertThatThrownBy(() -> SpecFiles.file("sandboxes/strict.yaml", loader()))
                .hasMessageStartingWith(url("sandboxes/strict.yaml") + " line 2: extends = \"tiny\": profile \"tiny\""
                        + " not found: there is no belljar.yaml at the root of the test class path");
    }

    @Test
    void aSpecFileExtendingAnInvalidBelljarYamlNamesBoth() throws IOException {
        write("belljar.yaml", "profiles:\n  tiny: { pids: many }\n");
        write("strict.yaml", "extends: tiny\n");

        assertThatThrownBy(() -> SpecFiles.file("strict.yaml", loader()))
                .hasMessage(url("strict.yaml") + " line 1: extends = \"tiny\": " + url("belljar.yaml")
                        + " line 2: profiles.tiny.pids = \"many\" is not a whole number: use e.g. 64");
    }

    @Test
    void aMissingSpecFileNamesThePath() {
        assertThatThrownBy(() -> SpecFiles.file("sandboxes/nope.yaml", loader()))
                .isInstanceOf(SpecException.class)
                .hasMessage("spec file \"sandboxes/nope.yaml\" not found on the test class path"
                        + " (ClassLoader.getResource(\"sandboxes/nope.yaml\") found nothing); the path is relative to"
                        + " the class path root, e.g. src/test/resources/sandboxes/nope.yaml");
    }

    /** A directory on the class path reads as its listing: it is named as a directory instead. */
    @Test
    void aDirectoryIsNoSpecFile() throws IOException {
        write("sandboxes/strict.yaml", "memory: 32M\n");
        write("sandboxes/tiny.yml", "memory: 16M\n");
        write("sandboxes/notes.txt", "not a spec\n");

        assertThatThrownBy(() -> SpecFiles.file("sandboxes", loader())).isInstanceOf(SpecException.class)
                .hasMessage("spec file \"sandboxes\" is a directory (" + loader().getResource("sandboxes") + "), not a YAML file:"
                        + " name one of its YAML files: sandboxes/strict.yaml, sandboxes/tiny.yml");
        Files.createDirectories(classPath.resolve("empty"));
        assertThatThrownBy(() -> SpecFiles.file("/empty/", loader()))
                .hasMessage("spec file \"/empty/\" is a directory (" + url("empty") + "), not a YAML file:"
                        + " name a YAML file, e.g. empty/sandbox.yaml");
    }

    @Test
    void anEmptySpecFileIsRefused() throws IOException {
        write("sandboxes/empty.yaml", "# to do\n");

        assertThatThrownBy(() -> SpecFiles.file("sandboxes/empty.yaml", loader())).isInstanceOf(SpecException.class)
                .hasMessage("spec file " + url("sandboxes/empty.yaml") + " declares no settings: write at least one,"
                        + " e.g. memory: 64M, or extends: a profile of belljar.yaml; a test that needs none leaves spec out");
    }

    @Test
    void loadsASpecFileFromTheTestClassPath() {
        SandboxSpec spec = SpecFiles.file("yaml-cases/standalone.yaml", getClass().getClassLoader());

        assertThat(spec.memoryBytes()).hasValue(96L << 20);
        assertThat(spec.cpuCores()).hasValue(0.5);
        assertThat(spec.net()).isEqualTo(Net.PRIVATE);
        assertThat(spec.expect().outcome()).isEqualTo(Outcome.OOM_KILLED);
    }
}
