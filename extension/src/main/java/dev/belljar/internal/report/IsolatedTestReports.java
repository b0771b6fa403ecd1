package dev.belljar.internal.report;

import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Collects the report entries of each isolated test of a run, for a report written at its end. */
abstract class IsolatedTestReports implements TestExecutionListener {
    /**
     * An isolated test's path ("Class > method()"), its {@code belljar.*} report entries and its
     * chart's samples (encoded as {@link dev.belljar.internal.parent.Timeline} writes them; empty
     * until read from their file).
     */
    record IsolatedTest(String path, Map<String, String> entries, String samples) implements Serializable {
        IsolatedTest {
            entries = new LinkedHashMap<>(entries);
        }

        IsolatedTest withSamples(String read) {
            return new IsolatedTest(path, entries, read);
        }
    }

    /** Which test JVM ran a test: its PID, and Surefire's fork number where it forked several. */
    static final String JVM_KEY = "belljar.jvm";

    private final List<IsolatedTest> tests = new ArrayList<>();
    private TestPlan plan;

    @Override
    public final void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
    }

    @Override
    public final synchronized void reportingEntryPublished(TestIdentifier test, ReportEntry entry) {
        if (entry.getKeyValuePairs().containsKey(Reports.SUMMARY_KEY)) {
            Map<String, String> entries = new LinkedHashMap<>(entry.getKeyValuePairs());
            entries.put(JVM_KEY, thisJvm());
            tests.add(new IsolatedTest(Reports.path(plan, test), entries, ""));
        }
    }

    @Override
    public final synchronized void testPlanExecutionFinished(TestPlan testPlan) {
        if (!tests.isEmpty()) {
            report(testPlan, List.copyOf(tests));
            tests.clear();
        }
    }

    /**
     * Surefire starts each fork with the start time of its test run and the fork's number among
     * its arguments ({@code 2026-12-02T15-53-46_688-jvmRun2}).
     */
    private static final Pattern SUREFIRE_RUN = Pattern.compile("(\\S+)-jvmRun(\\d+)\\b");

    private static String thisJvm() {
        Matcher run = SUREFIRE_RUN.matcher(System.getProperty("sun.java.command", ""));
        return "pid " + ProcessHandle.current().pid() + (run.find() ? ", Surefire fork " + run.group(2) : "");
    }

    /** The Surefire test run this JVM is a fork of, the same for all its forks; empty when none. */
    static Optional<String> surefireRun() {
        Matcher run = SUREFIRE_RUN.matcher(System.getProperty("sun.java.command", ""));
        return run.find() ? Optional.of(run.group(1).replaceAll("[^A-Za-z0-9_.-]", "_")) : Optional.empty();
    }

    /** Writes the report of a run that had isolated tests. */
    abstract void report(TestPlan testPlan, List<IsolatedTest> tests);
}
