package dev.belljar.internal.report;

import dev.belljar.internal.parent.Timeline;
import dev.belljar.internal.report.IsolatedTestReports.IsolatedTest;
import dev.belljar.spec.Durations;
import dev.belljar.spec.Sizes;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes one self-contained HTML page per run (no script, no network): an overview, then for each
 * isolated test its outcome, why it failed, its limits and a chart of memory and CPU over time,
 * with the memory limit, {@code memory.high} and the CPU quota drawn as lines, throttled periods
 * shaded and OOM kills marked; which test JVM ran each test.
 */
final class HtmlReport {
    private static final int WIDTH = 720;
    private static final int HEIGHT = 150;
    /** Room for the memory axis's labels on the left and the CPU axis's on the right. */
    private static final int LEFT = 52;
    private static final int RIGHT = 30;

    private HtmlReport() {
    }

    static String render(List<IsolatedTest> tests) {
        StringBuilder html = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>Belljar report</title>
                <style>
                body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
                section { margin-bottom: 2em; } h2 { font-size: 15px; margin: 0 0 .3em; }
                .PASSED { color: #1a7f37; } .FAILED, .CRASHED, .TIMED_OUT { color: #cf222e; }
                .OOM_KILLED { color: #bc4c00; } .ABORTED { color: #9a6700; }
                .facts { color: #555; margin-bottom: .4em; }
                .failure { color: #cf222e; white-space: pre-wrap; font: 12px ui-monospace, monospace; margin: 0 0 .4em; } svg { background: #fafafa; border: 1px solid #ddd; }
                .legend span { margin-right: 1.5em; } .overview span { margin-right: 1.2em; font-weight: 600; }
                </style></head><body>
                <h1>Belljar: %d isolated test%s</h1>
                <p class="legend"><span style="color:#0969da">&#9632; memory</span><span style="color:#8250df">&#9632; CPU (cores)</span>
                <span style="color:#cf222e">&#9476; memory limit</span><span style="color:#d4a72c">&#9476; memory.high</span>
                <span style="color:#8250df">&#9476; CPU quota</span><span style="color:#c297ff">&#9608; throttled</span>
                <span style="color:#bc4c00">&#9650; OOM kill</span><span style="color:#888">&#9476; the child ended</span></p>
                """.formatted(tests.size(), tests.size() == 1 ? "" : "s"));
        html.append(overview(tests));
        for (int i = 0; i < tests.size(); i++) {
            IsolatedTest test = tests.get(i);
            html.append(section(i, test));
        }
        return html.append("</body></html>\n").toString();
    }

    /** First what a reader looks for: how many tests ended how, then each that did not end as PASSED, with its line. */
    static String overview(List<IsolatedTest> tests) {
        Map<String, Integer> counts = new TreeMap<>();
        tests.forEach(test -> counts.merge(outcome(test.entries()), 1, Integer::sum));
        StringBuilder html = new StringBuilder("<p class=\"overview\">");
        counts.forEach((outcome, count) -> html.append("<span class=\"").append(outcome).append("\">").append(outcome)
                .append(' ').append(count).append("</span>"));
        html.append("</p>\n");
        StringBuilder attention = new StringBuilder();
        for (int i = 0; i < tests.size(); i++) {
            Map<String, String> e = tests.get(i).entries();
            String outcome = outcome(e);
            if (!outcome.equals("PASSED")) {
                attention.append("<li><a href=\"#test-").append(i).append("\">").append(escape(tests.get(i).path()))
                        .append("</a> &mdash; <span class=\"").append(outcome).append("\">").append(outcome)
                        .append("</span>: ").append(escape(e.get(Reports.SUMMARY_KEY)))
                        .append(tests.get(i).failure().isEmpty() ? ""
                                : "<div class=\"failure\">" + escape(firstLine(tests.get(i).failure())) + "</div>")
                        .append("</li>\n");
            }
        }
        return attention.isEmpty() ? html.toString()
                : html.append("<h2>Ended other than PASSED (an expected outcome too)</h2>\n<ul class=\"attention\">\n").append(attention).append("</ul>\n").toString();
    }

    private static String outcome(Map<String, String> entries) {
        return entries.getOrDefault("belljar.outcome", "?");
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end) + " ...";
    }

    private static String section(int index, IsolatedTest test) {
        Map<String, String> e = test.entries();
        String name = test.path();
        String outcome = outcome(e);
        StringBuilder s = new StringBuilder("<section id=\"test-").append(index).append("\"><h2>").append(escape(name)).append(" &mdash; <span class=\"")
                .append(outcome).append("\">").append(outcome).append("</span></h2>\n<div class=\"facts\">")
                .append(escape(e.get(Reports.SUMMARY_KEY)))
                .append(e.containsKey(IsolatedTestReports.JVM_KEY) ? " &middot; " + escape(e.get(IsolatedTestReports.JVM_KEY)) : "")
                .append("</div>\n");
        if (!test.failure().isEmpty()) {
            s.append("<pre class=\"failure\">").append(escape(test.failure())).append("</pre>\n");
        }
        return s.append(chart(Timeline.decode(test.samples()), Lines.of(e))).append("</section>\n").toString();
    }

    /** What a chart draws as lines across it, from a test's entries; 0 where none was declared. */
    record Lines(long memoryLimitBytes, long memoryHighBytes, long memoryPeakBytes, double cpuQuotaCores) {
        static Lines of(Map<String, String> entries) {
            return new Lines(bytes(entries, "belljar.memory.limitBytes"), bytes(entries, "belljar.memory.highBytes"),
                    bytes(entries, "belljar.memory.peakBytes"), entries.containsKey("belljar.cpu.limitCores")
                            ? Double.parseDouble(entries.get("belljar.cpu.limitCores")) : 0);
        }

        private static long bytes(Map<String, String> entries, String key) {
            return entries.containsKey(key) ? Long.parseLong(entries.get(key)) : 0;
        }
    }

    /**
     * Memory (left axis) and CPU use in cores (right axis) over time, as inline SVG as wide as the
     * page: the memory limit, memory.high and the CPU quota as dashed lines, the periods in which
     * the quota throttled the sandbox shaded, OOM kills marked, and the last sample, taken once the
     * child had ended, drawn apart so that it does not read as freed memory.
     */
    static String chart(List<Timeline.Sample> samples, Lines lines) {
        if (samples.isEmpty()) {
            return "<p>(no samples)</p>";
        }
        long memoryLimit = lines.memoryLimitBytes();
        double cpuQuotaCores = lines.cpuQuotaCores();
        long endMillis = Math.max(1, samples.get(samples.size() - 1).millis());
        long memoryTop = Math.max(1, Math.max(Math.max(memoryLimit, lines.memoryHighBytes()),
                Math.max(lines.memoryPeakBytes(), samples.stream().mapToLong(Timeline.Sample::memoryBytes).max().orElse(1))));
        List<double[]> cores = new ArrayList<>();
        for (int i = 1; i < samples.size(); i++) {
            Timeline.Sample a = samples.get(i - 1);
            Timeline.Sample b = samples.get(i);
            long millis = Math.max(1, b.millis() - a.millis());
            cores.add(new double[] {b.millis(), (b.cpuNanos() - a.cpuNanos()) / (millis * 1e6)});
        }
        double coresTop = Math.max(Math.max(1, cpuQuotaCores), cores.stream().mapToDouble(c -> c[1]).max().orElse(1));
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg width=\"100%%\" viewBox=\"0 0 %d %d\" role=\"img\">", WIDTH, HEIGHT + 22));
        axes(svg, endMillis, memoryTop, coresTop);
        throttled(svg, samples, endMillis);
        // Up to the last sample but one: the last is taken after the child ended.
        int alive = samples.size() > 2 ? samples.size() - 1 : samples.size();
        StringBuilder memory = new StringBuilder();
        for (Timeline.Sample sample : samples.subList(0, alive)) {
            memory.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(sample.millis(), endMillis),
                    y(sample.memoryBytes(), memoryTop)));
        }
        svg.append("<polyline class=\"memory\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\" points=\"")
                .append(memory).append("\"/>");
        if (alive < samples.size()) {
            Timeline.Sample last = samples.get(alive - 1);
            double x = x(samples.get(samples.size() - 1).millis(), endMillis);
            svg.append(String.format(Locale.ROOT, "<line class=\"ended\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\""
                    + " stroke=\"#888\" stroke-dasharray=\"2 2\"><title>the child ended</title></line>",
                    x, x, 10, y(0, memoryTop)));
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"#0969da\"/>",
                    x(last.millis(), endMillis), y(last.memoryBytes(), memoryTop)));
        }
        StringBuilder cpu = new StringBuilder();
        for (double[] c : cores.subList(0, Math.max(0, alive - 1))) {
            cpu.append(String.format(Locale.ROOT, "%.1f,%.1f ", x((long) c[0], endMillis), cpuY(c[1], coresTop)));
        }
        svg.append("<polyline class=\"cpu\" fill=\"none\" stroke=\"#8250df\" stroke-width=\"1\" points=\"")
                .append(cpu).append("\"/>");
        if (memoryLimit > 0) {
            double y = y(memoryLimit, memoryTop);
            svg.append(String.format(Locale.ROOT, "<line class=\"memory-limit\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\""
                    + " stroke=\"#cf222e\" stroke-dasharray=\"4 3\"/><text x=\"%d\" y=\"%.1f\" font-size=\"10\""
                    + " fill=\"#cf222e\">limit %s</text>", LEFT, WIDTH - RIGHT, y, y, LEFT + 4, y + 11,
                    Sizes.describe(memoryLimit)));
        }
        if (lines.memoryHighBytes() > 0) {
            double y = y(lines.memoryHighBytes(), memoryTop);
            svg.append(String.format(Locale.ROOT, "<line class=\"memory-high\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\""
                    + " stroke=\"#d4a72c\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/><text x=\"%d\" y=\"%.1f\""
                    + " font-size=\"10\" fill=\"#9a6700\">memory.high %s</text>", LEFT, WIDTH - RIGHT, y, y, LEFT + 4,
                    y - 3, Sizes.describe(lines.memoryHighBytes())));
        }
        if (cpuQuotaCores > 0) {
            double y = cpuY(cpuQuotaCores, coresTop);
            svg.append(String.format(Locale.ROOT, "<line class=\"cpu-quota\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\""
                    + " stroke=\"#8250df\" stroke-dasharray=\"6 3\"/><text x=\"%d\" y=\"%.1f\" font-size=\"10\""
                    + " text-anchor=\"end\" fill=\"#8250df\">quota %s cores</text>", LEFT, WIDTH - RIGHT, y, y,
                    WIDTH - RIGHT - 4, y - 3, trimmed(cpuQuotaCores)));
        }
        long kills = 0;
        for (Timeline.Sample sample : samples) {
            if (sample.oomKills() > kills) {
                double x = x(sample.millis(), endMillis);
                svg.append(String.format(Locale.ROOT, "<polygon class=\"oom-kill\" points=\"%.1f,%d %.1f,%d %.1f,%d\""
                        + " fill=\"#bc4c00\"><title>OOM kill at %d ms</title></polygon>", x, 2, x - 5, 12, x + 5, 12,
                        sample.millis()));
                kills = sample.oomKills();
            }
        }
        return svg.append("</svg>\n").toString();
    }

    /** Shades each interval between two samples in which the CPU quota throttled the sandbox. */
    private static void throttled(StringBuilder svg, List<Timeline.Sample> samples, long endMillis) {
        for (int i = 1; i < samples.size(); i++) {
            Timeline.Sample a = samples.get(i - 1);
            Timeline.Sample b = samples.get(i);
            long throttledNanos = b.cpuThrottledNanos() - a.cpuThrottledNanos();
            if (throttledNanos > 0) {
                double from = x(a.millis(), endMillis);
                svg.append(String.format(Locale.ROOT, "<rect class=\"throttled\" x=\"%.1f\" y=\"%d\" width=\"%.1f\""
                        + " height=\"%d\" fill=\"#c297ff\" fill-opacity=\"0.35\"><title>throttled %s</title></rect>",
                        from, 10, Math.max(1, x(b.millis(), endMillis) - from), HEIGHT - 10,
                        Durations.describe(throttledNanos)));
            }
        }
    }

    /** The frame, three ticks on each axis with their values, and the time axis's unit. */
    private static void axes(StringBuilder svg, long endMillis, long memoryTop, double coresTop) {
        svg.append(String.format(Locale.ROOT, "<g class=\"axes\" font-size=\"9\" fill=\"#555\" stroke=\"#ccc\">"
                + "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\"/>", LEFT, 10,
                WIDTH - LEFT - RIGHT, HEIGHT - 10));
        for (int i = 0; i <= 2; i++) {
            double fraction = i / 2.0;
            double y = HEIGHT - fraction * (HEIGHT - 10);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" stroke=\"none\">%s</text>"
                    + "<text x=\"%d\" y=\"%.1f\" stroke=\"none\">%s</text>", LEFT - 3, LEFT, y, y, LEFT - 5, y + 3,
                    Sizes.describe(Math.round(memoryTop * fraction)), WIDTH - RIGHT + 5, y + 3, trimmed(coresTop * fraction)));
            double x = LEFT + fraction * (WIDTH - LEFT - RIGHT);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" stroke=\"none\">%s</text>", x, x, HEIGHT,
                    HEIGHT + 3, x, HEIGHT + 13, i == 0 ? "0" : Durations.describe(Math.round(endMillis * fraction) * 1_000_000)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" stroke=\"none\">memory</text>"
                + "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" stroke=\"none\">CPU cores</text>"
                + "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" stroke=\"none\">time since the child started</text></g>",
                2, 8, WIDTH - 2, 8, (WIDTH + LEFT - RIGHT) / 2, HEIGHT + 22));
    }

    private static String trimmed(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.2f", value);
    }

    private static double cpuY(double cores, double coresTop) {
        return HEIGHT - cores / coresTop * (HEIGHT - 10);
    }

    private static double x(long millis, long endMillis) {
        return LEFT + millis * (double) (WIDTH - LEFT - RIGHT) / endMillis;
    }

    private static double y(long bytes, long top) {
        return HEIGHT - bytes * (double) (HEIGHT - 10) / top;
    }

    private static String escape(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
