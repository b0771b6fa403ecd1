package dev.belljar.internal.report;

import dev.belljar.internal.Configuration;
import dev.belljar.internal.parent.Timeline;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.core.LauncherFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
    }

    @Test
    void summaryAndPageListEveryIsolatedTest(@TempDir Path reportDir) throws IOException {
        Files.createDirectories(reportDir.resolve("timelines"));
        Files.writeString(reportDir.resolve("timelines/4711-1.txt"), "0,1048576,0,0;500,67108864,400000000,1\n");
        String out = runCapturingStdout(Map.of(Configuration.REPORT_DIRECTORY_PROPERTY_NAME, reportDir.toString()));

        assertThat(out).contains("Belljar: 3 isolated tests\n"
                + "  sandboxes: cgroup v2: sandboxes under /x (delegated)\n"
                + "  IsolatedTestReportsTest$Reported > first(TestReporter)\n"
                + "      PASSED, memory 40 MiB peak, CPU 1.00 s, wall 1.20 s\n"
                + "  IsolatedTestReportsTest$Reported > second(TestReporter)\n"
                + "      OOM_KILLED, memory 64 MiB peak of 64 MiB, 1 OOM kill\n"
                + "  IsolatedTestReportsTest$Reported > second(TestReporter)\n"
                + "      PASSED, the same path twice\n");
        Path page = reportDir.resolve("report.html");
        assertThat(out).contains("Belljar report: " + page.toAbsolutePath());
        assertThat(Files.readString(page))
                .contains("<h1>Belljar: 3 isolated tests</h1>")
                .contains("first(TestReporter) &mdash; <span class=\"PASSED\">PASSED</span>")
                .contains("second(TestReporter) &mdash; <span class=\"OOM_KILLED\">OOM_KILLED</span>")
                .contains("PASSED, the same path twice")
                .doesNotContain("entries are not reports");

        // The chart's samples came from the timeline file, which the page now holds instead.
        assertThat(Files.readString(page)).containsOnlyOnce("<svg");
        assertThat(reportDir.resolve("timelines")).doesNotExist();

        // JSON is YAML: SnakeYAML reads the results file as a program of a CI system would.
        Map<String, Object> results = new org.yaml.snakeyaml.Yaml().load(Files.readString(reportDir.resolve("results.json")));
        @SuppressWarnings("unchecked")
        java.util.List<Map<String, Object>> listed = (java.util.List<Map<String, Object>>) results.get("tests");
        assertThat(listed).hasSize(3);
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
     * Surefire forks of one test run add to one report: a fork's part waits beside the files for
     * the next fork to end; parts of earlier runs go.
     */
    @Test
    void forksOfOneBuildAddToOneReport(@TempDir Path reportDir) throws Exception {
        String command = System.getProperty("sun.java.command");
        // As Surefire starts its second fork of a test run.
        System.setProperty("sun.java.command", "surefirebooter.jar /x/target/surefire 2026-12-02T15-53-46_688-jvmRun2 surefire-1");
        try {
            Path forks = Files.createDirectories(reportDir.resolve("forks/2026-12-02T15-53-46_688"));
            try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(forks.resolve("1.part")))) {
                out.writeObject(new ArrayList<>(List.of(new IsolatedTestReports.IsolatedTest("OtherForks > ran(TestInfo)",
                        Map.of(Reports.SUMMARY_KEY, "PASSED, in the other fork", "belljar.outcome", "PASSED",
                                IsolatedTestReports.JVM_KEY, "pid 1, Surefire fork 1"), "0,1,0,0"))));
            }
            Path earlierRun = Files.createDirectories(reportDir.resolve("forks/2026-12-01T09-00-00_001"));
            Files.writeString(earlierRun.resolve("9-1.part"), "of yesterday's build");

            String out = runCapturingStdout(Map.of(Configuration.REPORT_DIRECTORY_PROPERTY_NAME, reportDir.toString()));

            assertThat(out).contains("Belljar: 3 isolated tests\n").doesNotContain("in the other fork");
            assertThat(Files.readString(reportDir.resolve("report.html"))).contains("<h1>Belljar: 4 isolated tests</h1>")
                    .contains("PASSED, in the other fork &middot; pid 1, Surefire fork 1")
                    .contains("&middot; pid " + ProcessHandle.current().pid() + ", Surefire fork 2");
            assertThat(Files.readString(reportDir.resolve("results.json"))).contains("OtherForks > ran(TestInfo)");
            assertThat(earlierRun).doesNotExist();
        } finally {
            System.setProperty("sun.java.command", command);
        }
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
