package dev.belljar;

import org.junit.jupiter.api.Test;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/** YAML profiles and spec files (src/test/resources/belljar.yaml) as a JUnit user sees them. */
class ProfilesTest extends KernelTest {

    private static Events run(String method) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectMethod(Cases.class, method)).execute().testEvents();
    }

    private static List<Map<String, String>> entries(Events events) {
        return events.reportingEntryPublished().stream()
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs()).toList();
    }

    @Test
    void profileWithExtendsAppliesLimitsNamespacesAndExpectations() {
        Events events = run("hermeticProfile");
        events.assertStatistics(s -> s.succeeded(1));
        assertThat(entries(events)).anySatisfy(e -> assertThat(e)
                .containsEntry("belljar.memory.limitBytes", Long.toString(96L << 20))
                .containsEntry("belljar.pids.limit", "64"));
    }

    @Test
    void annotationAttributesOverrideTheProfile() {
        Events events = run("profileOverridden");
        events.assertStatistics(s -> s.succeeded(1));
        assertThat(entries(events)).anySatisfy(e -> assertThat(e)
                .containsEntry("belljar.memory.limitBytes", Long.toString(128L << 20))
                .containsEntry("belljar.pids.limit", "64"));
    }

    @Test
    void specFileExtendsAProfile() {
        Events events = run("specFile");
        events.assertThatEvents().haveExactly(1, event(test("specFile"), finishedSuccessfully()));
        assertThat(entries(events)).anySatisfy(e -> assertThat(e)
                .containsEntry("belljar.cpu.limitCores", "1.0")
                .containsEntry("belljar.memory.limitBytes", Long.toString(96L << 20)));
    }

    @Test
    void unknownProfileFailsNamingItAndTheAlternatives() {
        run("unknownProfile").assertThatEvents().haveExactly(1, event(test("unknownProfile"), finishedWithFailure(
                message(m -> m.startsWith("@Isolated on dev.belljar.ProfilesTest$Cases.unknownProfile(): no profile \"hermetc\"")
                        && m.contains("did you mean hermetic?")))));
    }

    @Test
    void aDirectoryIsRefusedAsASpecFile() {
        run("specDirectory").assertThatEvents().haveExactly(1, event(test("specDirectory"), finishedWithFailure(message(
                "@Isolated on dev.belljar.ProfilesTest$Cases.specDirectory(): spec file \"sandboxes\" is a directory ("
                        + Cases.class.getClassLoader().getResource("sandboxes") + "), not a YAML file: name one of its"
                        + " YAML files: sandboxes/strict.yaml"))));
    }

    @Test
    void aSpecFileThatDeclaresNothingIsRefused() {
        Events events = run("emptySpecFile");
        events.assertThatEvents().haveExactly(1, event(test("emptySpecFile"), finishedWithFailure(message(
                "@Isolated on dev.belljar.ProfilesTest$Cases.emptySpecFile(): spec file "
                        + Cases.class.getClassLoader().getResource("yaml-cases/empty.yaml") + " declares no settings:"
                        + " write at least one, e.g. memory: 64M, or extends: a profile of belljar.yaml; a test that"
                        + " needs none leaves spec out"))));
        assertThat(entries(events)).as("nothing ran: the error alone is reported, without accounting").singleElement()
                .satisfies(entries -> assertThat(entries).containsEntry("belljar.outcome", "ERROR")
                        .doesNotContainKey("belljar.memory.currentBytes"));
    }

    static class Cases {
        @Test
        @Isolated(spec = "sandboxes")
        void specDirectory() {
        }

        @Test
        @Isolated(spec = "yaml-cases/empty.yaml")
        void emptySpecFile() {
        }

        @Test
        @Isolated(profile = "hermetic")
        void hermeticProfile() throws Exception {
            assertThat(Files.readAllLines(Path.of("/proc/net/dev"))).hasSize(3);
        }

        @Test
        @Isolated(profile = "tiny", memory = "128M")
        void profileOverridden() {
        }

        @Test
        @Isolated(spec = "sandboxes/strict.yaml")
        void specFile() {
            assertThat(Runtime.getRuntime().availableProcessors()).isEqualTo(1);
        }

        @Test
        @Isolated(profile = "hermetc")
        void unknownProfile() {
        }
    }
}
