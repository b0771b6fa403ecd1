package dev.belljar.internal.report;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Collects the report entries of each isolated test of a run, for a report written at its end. */
abstract class IsolatedTestReports implements TestExecutionListener {
    /**
     * An isolated test's path ("Class > method()"), its {@code belljar.*} report entries, its
     * chart's samples (encoded as {@link dev.belljar.internal.parent.Timeline} writes them; empty
     * until read from their file) and why JUnit did not count it as passed (the exception's type
     * and message; empty when it passed).
     */
    record IsolatedTest(String path, Map<String, String> entries, String samples, String failure)
            implements Serializable {
        IsolatedTest {
            entries = new LinkedHashMap<>(entries);
        }

        IsolatedTest withSamples(String read) {
            return new IsolatedTest(path, entries, read, failure);
        }

        IsolatedTest withFailure(String reason) {
            return new IsolatedTest(path, entries, samples, reason);
        }
    }

    /** A failure's message beyond this many characters is cut: the page and the file stay readable. */
    private static final int FAILURE_CHARACTERS = 2000;

    /** Which test JVM ran a test: its PID, and Surefire's fork number where it forked several. */
    static final String JVM_KEY = "belljar.jvm";

    private final List<IsolatedTest> tests = new ArrayList<>();
    /** Where each test's entry is in {@link #tests}, by its unique ID, until it finishes. */
    private final Map<String, Integer> running = new HashMap<>();
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
            running.put(test.getUniqueId(), tests.size());
            tests.add(new IsolatedTest(Reports.path(plan, test), entries, "", ""));
        }
    }

    @Override
    public final synchronized void executionFinished(TestIdentifier test, TestExecutionResult result) {
        Integer index = running.remove(test.getUniqueId());
        if (index != null && result.getThrowable().isPresent()) {
            tests.set(index, tests.get(index).withFailure(reason(result.getThrowable().get())));
        }
    }

    /** "AssertionError: expected ...", as a person reads it first in a stack trace. */
    static String reason(Throwable failure) {
        String message = failure.getMessage() == null ? "" : ": " + failure.getMessage().strip();
        String reason = failure.getClass().getSimpleName() + message;
        return reason.length() <= FAILURE_CHARACTERS ? reason : reason.substring(0, FAILURE_CHARACTERS) + " ...";
    }

    @Override
    public final synchronized void testPlanExecutionFinished(TestPlan testPlan) {
        if (!tests.isEmpty()) {
            report(testPlan, List.copyOf(tests));
            tests.clear();
            running.clear();
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
