package dev.belljar.internal.report;

import dev.belljar.internal.parent.Timeline;
import dev.belljar.internal.report.IsolatedTestReports.IsolatedTest;

import java.util.List;
import java.util.Map;

/**
 * Writes {@code results.json} beside the HTML report: every isolated test of the run with its
 * outcome, its summary line, why it failed where it did, and its {@code belljar.*} entries
 * (accounting and limits, numbers as numbers), for CI systems and scripts; JUnit's report entries
 * do not reach Surefire's XML.
 */
final class ResultsFile {

    private ResultsFile() {
    }

    static String render(List<IsolatedTest> tests) {
        StringBuilder json = new StringBuilder("{\n  \"tests\": [");
        for (int i = 0; i < tests.size(); i++) {
            IsolatedTest test = tests.get(i);
            Map<String, String> entries = test.entries();
            json.append(i == 0 ? "\n" : ",\n").append("    {\"test\": ").append(string(test.path()))
                    .append(", \"outcome\": ").append(string(entries.getOrDefault("belljar.outcome", "")))
                    .append(", \"summary\": ").append(string(entries.getOrDefault(Reports.SUMMARY_KEY, "")))
                    .append(test.failure().isEmpty() ? "" : ", \"failure\": " + string(test.failure()))
                    .append(", \"entries\": {");
            boolean first = true;
            for (Map.Entry<String, String> entry : entries.entrySet()) {
                // The timeline is the page's; the summary and outcome are above.
                if (entry.getKey().equals(Timeline.FILE_KEY) || entry.getKey().equals(Reports.SUMMARY_KEY)
                        || entry.getKey().equals("belljar.outcome")) {
                    continue;
                }
                json.append(first ? "" : ", ").append(string(entry.getKey())).append(": ").append(value(entry.getValue()));
                first = false;
            }
            json.append("}}");
        }
        return json.append(tests.isEmpty() ? "]\n}\n" : "\n  ]\n}\n").toString();
    }

    /** A number where the entry is one (bytes, nanoseconds, cores), else a string. */
    private static String value(String text) {
        return text.matches("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?") ? text : string(text);
    }

    private static String string(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
