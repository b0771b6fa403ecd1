package dev.belljar.internal.report;

import dev.belljar.internal.parent.Timeline;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The report as a person sees it: headless Chromium renders the page, and the test looks at the
 * screenshot's pixels (each line and mark is there because taking it away takes its colour away)
 * and at the DOM the browser built. Without Chromium the test aborts, unless
 * {@code BELLJAR_REQUIRE_CHROMIUM=1} (CI) makes that a failure.
 */
class HtmlReportInChromiumTest {
    private static final int WINDOW_WIDTH = 1200;
    private static final long MIB = 1L << 20;

    private static Path chromium;

    @TempDir
    static Path dir;

    @BeforeAll
    static void findChromium() {
        Optional<Path> found = Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
                .map(Path::of).filter(Files::isExecutable).findFirst();
        if (found.isEmpty() && "1".equals(System.getenv("BELLJAR_REQUIRE_CHROMIUM"))) {
            fail("BELLJAR_REQUIRE_CHROMIUM=1 but no Chromium at /usr/bin/chromium (apt-get install chromium)");
        }
        Assumptions.assumeTrue(found.isPresent(), "Chromium is not installed (apt-get install chromium)");
        chromium = found.get();
    }

    @Test
    void eachLineAndMarkOfTheChartIsSeenWhereItIsDrawnAndGoneWhereItIsNot() throws Exception {
        BufferedImage all = screenshot("all", page(entries -> entries, true, true));

        assertThat(seen(all, 0xcf222e) - seen(screenshot("no-limit", page(without("belljar.memory.limitBytes"), true, true)), 0xcf222e))
                .as("pixels of the memory limit line").isGreaterThan(300);
        assertThat(seen(all, 0xd4a72c) - seen(screenshot("no-high", page(without("belljar.memory.highBytes"), true, true)), 0xd4a72c))
                .as("pixels of the memory.high line").isGreaterThan(300);
        assertThat(seen(all, 0x8250df) - seen(screenshot("no-quota", page(without("belljar.cpu.limitCores"), true, true)), 0x8250df))
                .as("pixels of the CPU quota line").isGreaterThan(300);
        assertThat(seen(all, 0xbc4c00) - seen(screenshot("no-kill", page(entries -> entries, false, true)), 0xbc4c00))
                .as("pixels of the OOM kill mark").isGreaterThan(20);
        int shade = blended(0xc297ff, 0.35, 0xfafafa);
        assertThat(seen(all, shade) - seen(screenshot("no-throttling", page(entries -> entries, true, false)), shade))
                .as("pixels of the shaded throttled periods").isGreaterThan(5_000);
    }

    @Test
    void theChartIsAsWideAsThePage() throws Exception {
        BufferedImage shot = screenshot("wide", page(entries -> entries, true, true));
        int widest = 0;
        for (int y = 0; y < shot.getHeight(); y++) {
            int run = 0;
            for (int x = 0; x < shot.getWidth(); x++) {
                run = near(shot.getRGB(x, y), 0xfafafa) ? run + 1 : 0;
                widest = Math.max(widest, run);
            }
        }
        assertThat(widest).as("the widest stretch of the chart's background, in a %d px window", WINDOW_WIDTH)
                .isGreaterThan(WINDOW_WIDTH * 8 / 10);
    }

    @Test
    void theBrowserBuildsTheOverviewTheFailureAndOneChartPerTest() throws Exception {
        Path page = write("dom", page(entries -> entries, true, true));
        String dom = run(List.of("--dump-dom", page.toUri().toString()));

        assertThat(dom).contains("<span class=\"FAILED\">FAILED 1</span><span class=\"PASSED\">PASSED 1</span>")
                .contains("<div class=\"failure\">AssertionError: expected &lt;3&gt; rows ...</div>")
                .contains("memory.high")
                .containsPattern("<section id=\"test-0\">(?s:(?!</section>).)*<svg[^>]*>(?s:(?!</section>).)*"
                        + "class=\"cpu-quota\"(?s:(?!</section>).)*class=\"oom-kill\"(?s:(?!</section>).)*</svg>");
        assertThat(dom.split("<svg", -1)).as("one chart per test").hasSize(3);
    }

    /** A report of two tests: one failed after throttling and an OOM kill of a process it started, one passed. */
    private static String page(UnaryOperator<Map<String, String>> entries, boolean oomKill, boolean throttled) {
        List<Timeline.Sample> samples = new ArrayList<>();
        for (int i = 0; i <= 40; i++) {
            long throttledNanos = throttled ? Math.max(0, i - 10) * 20_000_000L : 0;
            samples.add(new Timeline.Sample(i * 50L, Math.min(60, 10 + i * 2) * MIB, i * 25_000_000L,
                    oomKill && i >= 30 ? 1 : 0, throttledNanos));
        }
        Map<String, String> failed = new HashMap<>(Map.of("belljar.outcome", "FAILED",
                Reports.SUMMARY_KEY, "FAILED, memory 60 MiB peak of 64 MiB, 1 OOM kill",
                "belljar.memory.limitBytes", Long.toString(64 * MIB), "belljar.memory.highBytes", Long.toString(48 * MIB),
                "belljar.memory.peakBytes", Long.toString(60 * MIB), "belljar.cpu.limitCores", "0.5"));
        StringBuilder encoded = new StringBuilder();
        for (Timeline.Sample s : samples) {
            encoded.append(encoded.length() == 0 ? "" : ";").append(s.millis()).append(',').append(s.memoryBytes())
                    .append(',').append(s.cpuNanos()).append(',').append(s.oomKills()).append(',').append(s.cpuThrottledNanos());
        }
        return HtmlReport.render(List.of(
                new IsolatedTestReports.IsolatedTest("Shop > importsAll()", entries.apply(failed), encoded.toString(),
                        "AssertionError: expected <3> rows\nbut was <2>"),
                new IsolatedTestReports.IsolatedTest("Shop > lists()", Map.of("belljar.outcome", "PASSED",
                        Reports.SUMMARY_KEY, "PASSED"), "0,1048576,0,0,0;50,2097152,1000000,0,0", "")));
    }

    private static UnaryOperator<Map<String, String>> without(String key) {
        return entries -> {
            Map<String, String> less = new HashMap<>(entries);
            less.remove(key);
            return less;
        };
    }

    private static BufferedImage screenshot(String name, String html) throws Exception {
        Path page = write(name, html);
        Path png = dir.resolve(name + ".png");
        run(List.of("--screenshot=" + png, "--window-size=" + WINDOW_WIDTH + ",900", page.toUri().toString()));
        return ImageIO.read(png.toFile());
    }

    private static Path write(String name, String html) throws IOException {
        return Files.writeString(dir.resolve(name + ".html"), html);
    }

    /** Chromium headless, with a profile of its own, no network, no sandbox of its own (it may run as root). */
    private static String run(List<String> arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--no-first-run", "--user-data-dir=" + dir.resolve("profile"),
                "--proxy-server=127.0.0.1:9", "--force-device-scale-factor=1"));
        command.addAll(arguments);
        Path out = Files.createTempFile(dir, "chromium", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(false).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
            fail("Chromium did not finish within 60 s: " + command);
        }
        assertThat(process.exitValue()).as("Chromium's exit status for " + arguments).isZero();
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** How many pixels show {@code rgb}, give or take what anti-aliasing changes. */
    private static long seen(BufferedImage image, int rgb) {
        long count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (near(image.getRGB(x, y), rgb)) {
                    count++;
                }
            }
        }
        return count;
    }

    private static boolean near(int a, int b) {
        int distance = 0;
        for (int shift = 0; shift <= 16; shift += 8) {
            distance += Math.abs((a >> shift & 0xff) - (b >> shift & 0xff));
        }
        return distance <= 24;
    }

    /** {@code rgb} at {@code opacity} over {@code background}, as the browser paints a translucent fill. */
    private static int blended(int rgb, double opacity, int background) {
        int result = 0;
        for (int shift = 0; shift <= 16; shift += 8) {
            int channel = (int) Math.round((rgb >> shift & 0xff) * opacity + (background >> shift & 0xff) * (1 - opacity));
            result |= channel << shift;
        }
        return result;
    }
}
