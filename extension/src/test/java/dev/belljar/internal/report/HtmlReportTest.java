package dev.belljar.internal.report;

import dev.belljar.internal.parent.Timeline;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The report's chart: memory, CPU, limits as lines, throttling shaded, OOM kills marked; the timeline survives encoding. */
class HtmlReportTest {

    @Test
    void chartDrawsMemoryCpuTheLimitsTheQuotaThrottlingAndEachOomKillOnLabelledAxes() {
        List<Timeline.Sample> samples = List.of(
                new Timeline.Sample(0, 10L << 20, 0, 0, 0),
                new Timeline.Sample(50, 40L << 20, 40_000_000, 0, 0),
                new Timeline.Sample(100, 64L << 20, 90_000_000, 1, 30_000_000),
                new Timeline.Sample(150, 1L << 20, 95_000_000, 1, 30_000_000));
        String svg = HtmlReport.chart(samples, new HtmlReport.Lines(64L << 20, 48L << 20, 64L << 20, 0.5));
        assertThat(svg).startsWith("<svg width=\"100%\"").contains("stroke=\"#0969da\"", "stroke=\"#8250df\"")
                .contains("limit 64 MiB").contains("memory.high 48 MiB").contains("quota 0.50 cores")
                .contains("<title>OOM kill at 100 ms</title>")
                .contains(">memory</text>", ">CPU cores</text>", ">time since the child started</text>")
                .contains(">64 MiB</text>", ">150.0 ms</text>", ">0.50</text>");
        assertThat(svg.split("<polygon", -1)).hasSize(2);
        // Throttled between 50 and 100 ms only: one shaded interval, from the first sample's x to the second's.
        assertThat(svg.split("class=\"throttled\"", -1)).hasSize(2);
        assertThat(svg).contains("<title>throttled 30.0 ms</title>");
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
                        Reports.SUMMARY_KEY, "PASSED, memory 40 MiB peak"), "", ""),
                new IsolatedTestReports.IsolatedTest("A > leaks()", Map.of("belljar.outcome", "OOM_KILLED",
                        Reports.SUMMARY_KEY, "OOM_KILLED, memory 64 MiB peak of 64 MiB, 1 OOM kill"), "",
                        "OomKilledError: the kernel's OOM killer ended the test"),
                new IsolatedTestReports.IsolatedTest("B > <fails>()", Map.of("belljar.outcome", "FAILED",
                        Reports.SUMMARY_KEY, "FAILED, memory 30 MiB peak"), "",
                        "AssertionError: expected 3 <rows>\nbut was 2"),
                new IsolatedTestReports.IsolatedTest("B > alsoPasses()", Map.of("belljar.outcome", "PASSED",
                        Reports.SUMMARY_KEY, "PASSED"), "", ""));

        String page = HtmlReport.render(tests);

        assertThat(page).contains("<p class=\"overview\"><span class=\"FAILED\">FAILED 1</span>"
                + "<span class=\"OOM_KILLED\">OOM_KILLED 1</span><span class=\"PASSED\">PASSED 2</span></p>");
        assertThat(page).contains("<li><a href=\"#test-1\">A &gt; leaks()</a> &mdash; <span class=\"OOM_KILLED\">OOM_KILLED</span>:"
                        + " OOM_KILLED, memory 64 MiB peak of 64 MiB, 1 OOM kill"
                        + "<div class=\"failure\">OomKilledError: the kernel's OOM killer ended the test</div></li>")
                .as("the overview shows a failure's first line, the test's section all of it")
                .contains("<div class=\"failure\">AssertionError: expected 3 &lt;rows&gt; ...</div>")
                .contains("<pre class=\"failure\">AssertionError: expected 3 &lt;rows&gt;\nbut was 2</pre>")
                .contains("<li><a href=\"#test-2\">B &gt; &lt;fails&gt;()</a>")
                .doesNotContain("<a href=\"#test-0\">").doesNotContain("<a href=\"#test-3\">")
                .contains("<section id=\"test-1\"><h2>A &gt; leaks()");
        assertThat(page.indexOf("Ended other than PASSED")).isLessThan(page.indexOf("<section"));
    }

    @Test
    void chartWithoutLimitDrawsNoLimitLine() {
        String svg = HtmlReport.chart(List.of(new Timeline.Sample(0, 1, 0, 0, 0), new Timeline.Sample(50, 2, 1, 0, 0)),
                new HtmlReport.Lines(0, 0, 2, 0));
        assertThat(svg).doesNotContain("limit 0").doesNotContain("memory-limit").doesNotContain("memory-high")
                .doesNotContain("cpu-quota").doesNotContain("throttled").doesNotContain("<polygon");
    }

    @Test
    void timelineRoundTripsThroughItsReportEntry() {
        assertThat(Timeline.decode("0,1,2,0,0;50,3,4,1,5")).containsExactly(
                new Timeline.Sample(0, 1, 2, 0, 0), new Timeline.Sample(50, 3, 4, 1, 5));
        assertThat(Timeline.decode("")).isEmpty();
    }

    @Test
    void longRunsKeepASmallTimelineAndEveryOomKill() {
        List<Timeline.Sample> samples = new ArrayList<>();
        for (int i = 0; i <= Timeline.MAX_SAMPLES; i++) {
            samples.add(new Timeline.Sample(i * 50L, i, i, i >= 301 ? 1 : 0, 0));
        }
        List<Timeline.Sample> kept = Timeline.thinned(samples);
        assertThat(kept).hasSizeLessThanOrEqualTo(Timeline.MAX_SAMPLES / 2 + 3)
                .contains(samples.get(301), samples.get(Timeline.MAX_SAMPLES));
    }
}
