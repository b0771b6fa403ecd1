package dev.belljar.internal.report;

import dev.belljar.internal.Configuration;
import dev.belljar.internal.MavenBuild;
import dev.belljar.internal.parent.Timeline;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.core.LauncherFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * The end-of-run reports as a launcher run shows them (the listeners come through
 * {@code META-INF/services}): the summary on standard output and the HTML page, one entry per
 * isolated test, also when two tests have the same path.
 */
class IsolatedTestReportsTest {

    /** Publishes what an isolated test's parent publishes, without a sandbox. */
    @TestMethodOrder(MethodOrderer.MethodName.class)
    static class Reported {
        @Test
        void first(TestReporter reporter) {
            reporter.publishEntry(Map.of(Reports.SUMMARY_KEY, "PASSED, memory 40 MiB peak, CPU 1.00 s, wall 1.20 s",
                    "belljar.outcome", "PASSED", Reports.SANDBOXES_KEY, "cgroup v2: sandboxes under /x (delegated)"));
        }

        @Test
        void second(TestReporter reporter) {
            reporter.publishEntry(Map.of(Reports.SUMMARY_KEY, "OOM_KILLED, memory 64 MiB peak of 64 MiB, 1 OOM kill",
                    "belljar.outcome", "OOM_KILLED", Reports.SANDBOXES_KEY, "cgroup v2: sandboxes under /x (delegated)",
                    "belljar.memory.peakBytes", "67108864", "belljar.memory.limitBytes", "67108864",
                    "belljar.note", "a \"quoted\"\nline", Timeline.FILE_KEY, "timelines/4711-1.txt"));
            reporter.publishEntry(Map.of(Reports.SUMMARY_KEY, "PASSED, the same path twice", "belljar.outcome", "PASSED"));
            reporter.publishEntry("unrelated", "entries are not reports");
        }

        @Test
        void third(TestReporter reporter) {
            reporter.publishEntry(Map.of(Reports.SUMMARY_KEY, "FAILED, memory 30 MiB peak", "belljar.outcome", "FAILED"));
            throw new AssertionError("expected <3> rows\nbut was <2>");
        }
    }

    @Test
    void summaryAndPageListEveryIsolatedTest(@TempDir Path reportDir) throws Exception {
        Files.createDirectories(reportDir.resolve("timelines"));
        Files.writeString(reportDir.resolve("timelines/4711-1.txt"), "0,1048576,0,0,0;500,67108864,400000000,1,0\n");
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        Path orphaned = Files.writeString(reportDir.resolve("timelines/" + ended.pid() + "-1.txt"), "0,1,0,0,0");
        Path ofARunningJvm = Files.writeString(reportDir.resolve("timelines/" + ProcessHandle.current().pid() + "-99999.txt"), "0,1,0,0,0");
        String out = runCapturingStdout(Map.of(Configuration.REPORT_DIRECTORY_PROPERTY_NAME, reportDir.toString()));

        assertThat(out).contains("Belljar: 4 isolated tests\n"
                + "  sandboxes: cgroup v2: sandboxes under /x (delegated)\n"
                + "  IsolatedTestReportsTest$Reported > first(TestReporter)\n"
                + "      PASSED, memory 40 MiB peak, CPU 1.00 s, wall 1.20 s\n"
                + "  IsolatedTestReportsTest$Reported > second(TestReporter)\n"
                + "      OOM_KILLED, memory 64 MiB peak of 64 MiB, 1 OOM kill\n"
                + "  IsolatedTestReportsTest$Reported > second(TestReporter)\n"
                + "      PASSED, the same path twice\n"
                + "  IsolatedTestReportsTest$Reported > third(TestReporter)\n"
                + "      FAILED, memory 30 MiB peak\n");
        Path page = reportDir.resolve("report.html");
        assertThat(out).contains("Belljar report: " + page.toAbsolutePath());
        assertThat(Files.readString(page))
                .contains("<h1>Belljar: 4 isolated tests</h1>")
                .contains("first(TestReporter) &mdash; <span class=\"PASSED\">PASSED</span>")
                .contains("second(TestReporter) &mdash; <span class=\"OOM_KILLED\">OOM_KILLED</span>")
                .contains("PASSED, the same path twice")
                .as("why JUnit failed the test, beside its accounting")
                .contains("<pre class=\"failure\">AssertionError: expected &lt;3&gt; rows\nbut was &lt;2&gt;</pre>")
                .doesNotContain("entries are not reports");

        // The chart's samples came from the timeline file, which the page now holds instead.
        assertThat(Files.readString(page)).containsOnlyOnce("<svg");
        assertThat(reportDir.resolve("timelines/4711-1.txt")).doesNotExist();
        assertThat(orphaned).as("samples of a test JVM that ended, which no report will read").doesNotExist();
        assertThat(ofARunningJvm).as("samples of a running test JVM, for its own report").exists();
        Files.delete(ofARunningJvm);

        // JSON is YAML: SnakeYAML reads the results file as a program of a CI system would.
        Map<String, Object> results = new org.yaml.snakeyaml.Yaml().load(Files.readString(reportDir.resolve("results.json")));
        @SuppressWarnings("unchecked")
        java.util.List<Map<String, Object>> listed = (java.util.List<Map<String, Object>>) results.get("tests");
        assertThat(listed).hasSize(4);
        assertThat(listed.get(3)).containsEntry("failure", "AssertionError: expected <3> rows\nbut was <2>");
        assertThat(listed.get(0)).doesNotContainKey("failure");
        assertThat(listed.get(0)).containsEntry("test", "IsolatedTestReportsTest$Reported > first(TestReporter)")
                .containsEntry("outcome", "PASSED").containsEntry("summary", "PASSED, memory 40 MiB peak, CPU 1.00 s, wall 1.20 s");
        assertThat(listed.get(1)).containsEntry("outcome", "OOM_KILLED");
        @SuppressWarnings("unchecked")
        Map<String, Object> entries = (Map<String, Object>) listed.get(1).get("entries");
        assertThat(entries).containsEntry("belljar.memory.peakBytes", 67108864).containsEntry("belljar.memory.limitBytes", 67108864)
                .containsEntry("belljar.sandboxes", "cgroup v2: sandboxes under /x (delegated)")
                .containsEntry("belljar.note", "a \"quoted\"\nline")
                .hasEntrySatisfying(IsolatedTestReports.JVM_KEY, jvm -> assertThat(jvm.toString())
                        .matches("pid " + ProcessHandle.current().pid() + "(, Surefire fork [0-9]+)?"))
                .doesNotContainKeys("belljar.outcome", "belljar.summary", "belljar.timelineFile");
    }

    /**
     * The test JVMs of one build (forks, modules) add to one report: a JVM's part waits beside the
     * files for the next one to end; parts of earlier builds go.
     */
    @Test
    void testJvmsOfOneBuildAddToOneReport(@TempDir Path reportDir) throws Exception {
        Path earlierBuild = Files.createDirectories(reportDir.resolve("forks/maven-7-1700000000000"));
        Files.writeString(earlierBuild.resolve("9-1.part"), "of yesterday's build");
        IsolatedTestReports.IsolatedTest first = new IsolatedTestReports.IsolatedTest("OtherModule > ran()",
                Map.of(Reports.SUMMARY_KEY, "PASSED, in another module", "belljar.outcome", "PASSED",
                        IsolatedTestReports.JVM_KEY, "pid 1, Surefire fork 1"), "0,1,0,0,0", "");
        IsolatedTestReports.IsolatedTest second = new IsolatedTestReports.IsolatedTest("ThisModule > failed()",
                Map.of(Reports.SUMMARY_KEY, "FAILED", "belljar.outcome", "FAILED",
                        IsolatedTestReports.JVM_KEY, "pid 2, Surefire fork 1"), "", "AssertionError: no");

        assertThat(ReportFilesListener.withOtherForks(reportDir, Optional.of("maven-8-1800000000000"), List.of(first)))
                .containsExactly(first);
        assertThat(earlierBuild).as("an earlier build's parts").doesNotExist();
        assertThat(ReportFilesListener.withOtherForks(reportDir, Optional.of("maven-8-1800000000000"), List.of(second)))
                .as("the JVM that ends last has every part of its build").containsExactlyInAnyOrder(first, second);
        assertThat(ReportFilesListener.withOtherForks(reportDir, Optional.empty(), List.of(second)))
                .as("a JVM of no known build").containsExactly(second);
        assertThat(ReportFilesListener.withOtherForks(reportDir, Optional.of("maven-9-1900000000000"), List.of(second)))
                .as("the next build starts afresh").containsExactly(second);
    }

    /**
     * As this suite runs under Maven, its test JVM finds the build: the project directory Maven was
     * started for holds this module.
     */
    @Test
    void aTestJvmThatMavenStartedFindsItsBuild() {
        Assumptions.assumeTrue(System.getProperty("sun.java.command", "").contains("surefire"),
                "run by Maven Surefire");
        assertThat(MavenBuild.ofThisJvm()).hasValueSatisfying(build -> {
            assertThat(Path.of("").toAbsolutePath()).startsWith(build.projectDirectory());
            assertThat(build.id()).matches("maven-[0-9]+-[0-9]+");
        });
    }

    @Test
    void theReportsCanBeTurnedOff(@TempDir Path reportDir) {
        String out = runCapturingStdout(Map.of(Configuration.REPORT_DIRECTORY_PROPERTY_NAME, reportDir.toString(),
                Configuration.REPORT_PROPERTY_NAME, "false", Configuration.SUMMARY_PROPERTY_NAME, "false"));

        assertThat(out).doesNotContain("Belljar");
        assertThat(reportDir.resolve("report.html")).doesNotExist();
        assertThat(reportDir.resolve("results.json")).doesNotExist();
    }

    private static String runCapturingStdout(Map<String, String> configuration) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            LauncherFactory.create()
                    .execute(request().selectors(selectClass(Reported.class)).configurationParameters(configuration).build());
        } finally {
            System.setOut(stdout);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
