package dev.belljar.internal.report;

import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Collects the report entries of each isolated test of a run, for a report written at its end. */
abstract class IsolatedTestReports implements TestExecutionListener {
    /** An isolated test's path ("Class > method()") and its {@code belljar.*} report entries. */
    record IsolatedTest(String path, Map<String, String> entries) {
    }

    private final List<IsolatedTest> tests = new ArrayList<>();
    private TestPlan plan;

    @Override
    public final void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
    }

    @Override
    public final synchronized void reportingEntryPublished(TestIdentifier test, ReportEntry entry) {
        if (entry.getKeyValuePairs().containsKey(Reports.SUMMARY_KEY)) {
            tests.add(new IsolatedTest(Reports.path(plan, test), entry.getKeyValuePairs()));
        }
    }

    @Override
    public final synchronized void testPlanExecutionFinished(TestPlan testPlan) {
        if (!tests.isEmpty()) {
            report(testPlan, List.copyOf(tests));
            tests.clear();
        }
    }

    /** Writes the report of a run that had isolated tests. */
    abstract void report(TestPlan testPlan, List<IsolatedTest> tests);
}
