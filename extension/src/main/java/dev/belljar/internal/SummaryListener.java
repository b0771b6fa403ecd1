package dev.belljar.internal;

import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.util.ArrayList;
import java.util.List;

/**
 * Prints one line per isolated test at the end of a run: outcome, memory against its limit, CPU
 * and throttling. Registered through {@code META-INF/services}, so every launcher-based run
 * (Surefire, the console launcher, Gradle) shows it; {@code -Dbelljar.summary=false} turns it off.
 */
public final class SummaryListener implements TestExecutionListener {
    static final String ENABLED_PROPERTY_NAME = "belljar.summary";
    private final List<String> lines = new ArrayList<>();
    private TestPlan plan;

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
    }

    @Override
    public synchronized void reportingEntryPublished(TestIdentifier test, ReportEntry entry) {
        String summary = entry.getKeyValuePairs().get(Reports.SUMMARY_KEY);
        if (summary != null) {
            lines.add(Reports.path(plan, test) + "\n      " + summary);
        }
    }

    @Override
    public synchronized void testPlanExecutionFinished(TestPlan testPlan) {
        boolean enabled = testPlan.getConfigurationParameters().getBoolean(ENABLED_PROPERTY_NAME).orElse(true);
        if (lines.isEmpty() || !enabled) {
            return;
        }
        StringBuilder out = new StringBuilder("\nBelljar: " + lines.size() + " isolated test"
                + (lines.size() == 1 ? "" : "s") + "\n");
        lines.forEach(line -> out.append("  ").append(line).append('\n'));
        System.out.print(out);
        System.out.flush();
        lines.clear();
    }
}
