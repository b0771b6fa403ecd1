package dev.belljar.internal.report;

import dev.belljar.internal.parent.Timeline;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The report's chart: memory, CPU, the limit as a line, OOM kills marked; the timeline survives encoding. */
class HtmlReportTest {

    @Test
    void chartDrawsMemoryCpuTheLimitTheQuotaAndEachOomKillOnLabelledAxes() {
        List<Timeline.Sample> samples = List.of(
                new Timeline.Sample(0, 10L << 20, 0, 0),
                new Timeline.Sample(50, 40L << 20, 40_000_000, 0),
                new Timeline.Sample(100, 64L << 20, 90_000_000, 1),
                new Timeline.Sample(150, 1L << 20, 95_000_000, 1));
        String svg = HtmlReport.chart(samples, 64L << 20, 64L << 20, 0.5);
        assertThat(svg).startsWith("<svg width=\"100%\"").contains("stroke=\"#0969da\"", "stroke=\"#8250df\"")
                .contains("limit 64 MiB").contains("quota 0.50 cores").contains("<title>OOM kill at 100 ms</title>")
                .contains(">memory</text>", ">CPU cores</text>", ">time since the child started</text>")
                .contains(">64 MiB</text>", ">150.0 ms</text>", ">0.50</text>");
        assertThat(svg.split("<polygon", -1)).hasSize(2);
        // The sample after the child ended is no point of the memory line: memory was not freed, the child was gone.
        Matcher memoryLine = Pattern.compile("class=\"memory\"[^>]* points=\"([^\"]*)\"").matcher(svg);
        assertThat(memoryLine.find()).isTrue();
        assertThat(memoryLine.group(1).trim().split(" ")).hasSize(3);
        assertThat(svg).contains("<title>the child ended</title>");
    }

    @Test
    void theOverviewCountsOutcomesAndListsWhatEndedOtherThanPassedWithItsLine() {
        List<IsolatedTestReports.IsolatedTest> tests = List.of(
                new IsolatedTestReports.IsolatedTest("A > passes()", Map.of("belljar.outcome", "PASSED",
                        Reports.SUMMARY_KEY, "PASSED, memory 40 MiB peak"), ""),
                new IsolatedTestReports.IsolatedTest("A > leaks()", Map.of("belljar.outcome", "OOM_KILLED",
                        Reports.SUMMARY_KEY, "OOM_KILLED, memory 64 MiB peak of 64 MiB, 1 OOM kill"), ""),
                new IsolatedTestReports.IsolatedTest("B > <fails>()", Map.of("belljar.outcome", "FAILED",
                        Reports.SUMMARY_KEY, "FAILED, memory 30 MiB peak"), ""),
                new IsolatedTestReports.IsolatedTest("B > alsoPasses()", Map.of("belljar.outcome", "PASSED",
                        Reports.SUMMARY_KEY, "PASSED"), ""));

        String page = HtmlReport.render(tests);

        assertThat(page).contains("<p class=\"overview\"><span class=\"FAILED\">FAILED 1</span>"
                + "<span class=\"OOM_KILLED\">OOM_KILLED 1</span><span class=\"PASSED\">PASSED 2</span></p>");
        assertThat(page).contains("<li><a href=\"#test-1\">A &gt; leaks()</a> &mdash; <span class=\"OOM_KILLED\">OOM_KILLED</span>:"
                        + " OOM_KILLED, memory 64 MiB peak of 64 MiB, 1 OOM kill</li>")
                .contains("<li><a href=\"#test-2\">B &gt; &lt;fails&gt;()</a>")
                .doesNotContain("<a href=\"#test-0\">").doesNotContain("<a href=\"#test-3\">")
                .contains("<section id=\"test-1\"><h2>A &gt; leaks()");
        assertThat(page.indexOf("Ended other than PASSED")).isLessThan(page.indexOf("<section"));
    }

    @Test
    void chartWithoutLimitDrawsNoLimitLine() {
        String svg = HtmlReport.chart(List.of(new Timeline.Sample(0, 1, 0, 0), new Timeline.Sample(50, 2, 1, 0)), 0, 2, 0);
        assertThat(svg).doesNotContain("limit 0").doesNotContain("memory-limit").doesNotContain("cpu-quota")
                .doesNotContain("<polygon");
    }

    @Test
    void timelineRoundTripsThroughItsReportEntry() {
        assertThat(Timeline.decode("0,1,2,0;50,3,4,1")).containsExactly(
                new Timeline.Sample(0, 1, 2, 0), new Timeline.Sample(50, 3, 4, 1));
        assertThat(Timeline.decode("")).isEmpty();
    }

    @Test
    void longRunsKeepASmallTimelineAndEveryOomKill() {
        List<Timeline.Sample> samples = new ArrayList<>();
        for (int i = 0; i <= Timeline.MAX_SAMPLES; i++) {
            samples.add(new Timeline.Sample(i * 50L, i, i, i >= 301 ? 1 : 0));
        }
        List<Timeline.Sample> kept = Timeline.thinned(samples);
        assertThat(kept).hasSizeLessThanOrEqualTo(Timeline.MAX_SAMPLES / 2 + 3)
                .contains(samples.get(301), samples.get(Timeline.MAX_SAMPLES));
    }
}
