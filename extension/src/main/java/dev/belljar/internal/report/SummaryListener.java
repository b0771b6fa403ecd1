package dev.belljar.internal.report;

import dev.belljar.internal.Configuration;
import org.junit.platform.launcher.TestPlan;

import java.util.List;
import java.util.Objects;

/**
 * Prints one line per isolated test at the end of a run: outcome, memory against its limit, CPU
 * and throttling. Registered through {@code META-INF/services}, so every launcher-based run
 * (Surefire, the console launcher, Gradle) shows it; {@code -Dbelljar.summary=false} turns it off.
 */
public final class SummaryListener extends IsolatedTestReports {
    @Override
    void report(TestPlan testPlan, List<IsolatedTest> tests) {
        if (!Configuration.of(testPlan.getConfigurationParameters()).summary()) {
            return;
        }
        StringBuilder out = new StringBuilder("\nBelljar: " + tests.size() + " isolated test"
                + (tests.size() == 1 ? "" : "s") + "\n");
        tests.stream().map(test -> test.entries().get(Reports.SANDBOXES_KEY)).filter(Objects::nonNull).distinct()
                .forEach(where -> out.append("  sandboxes: ").append(where).append('\n'));
        tests.forEach(test -> out.append("  ").append(test.path()).append("\n      ")
                .append(test.entries().get(Reports.SUMMARY_KEY)).append('\n'));
        System.out.print(out);
        System.out.flush();
    }
}
