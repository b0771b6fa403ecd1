package dev.belljar;

import dev.belljar.internal.channel.WorkDir;
import dev.belljar.linux.criu.Criu;
import dev.belljar.linux.host.FileTrees;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/**
 * Children restored from warm templates with CRIU: each test gets its own copy, under its own
 * limits, with its own output and exit status; a failed restore costs a fresh child, never a
 * result. Runs as root where CRIU can restore; CI provides CRIU 4.1 and requires it
 * ({@code BELLJAR_REQUIRE_RESTORE=1}).
 */
class RestoreTest extends KernelTest {
    private static final String RESTORED = "restored from a warm template";

    @BeforeAll
    static void requireRestore() {
        assumeTrue(!rootless(), "restoring needs root");
        Criu.Availability criu = Criu.probe();
        if (!"1".equals(System.getenv("BELLJAR_REQUIRE_RESTORE"))) {
            assumeTrue(criu.usable().isPresent(), () -> "no usable CRIU: " + criu.unavailable());
        }
        assertThat(criu.unavailable()).isNull();
    }

    /** Each test starts without the images earlier ones kept. */
    @BeforeEach
    void forgetKeptImages() throws IOException {
        Path kept = WorkDir.pathOfThisUser("belljar-templates");
        if (Files.exists(kept)) {
            FileTrees.delete(kept);
        }
    }

    @Test
    void eachTestGetsItsOwnCopyOfOneWarmTemplate() {
        Events events = runEngine(Restored.class);

        events.assertStatistics(s -> s.succeeded(3).failed(0));
        assertThat(entries(events, "belljar.child")).as("the template is made for the second test")
                .containsExactly("fresh", RESTORED, RESTORED);
        assertThat(entries(events, "jvm")).as("a JVM of its own per test").hasSize(3).doesNotHaveDuplicates();
        assertThat(entries(events, "random")).as("random numbers of its own per test").hasSize(3).doesNotHaveDuplicates();
        assertThat(entries(events, "run")).as("the host's /run, not the folder a restore's CRIU sees there")
                .containsOnly(Restored.inodeOfRun());
        assertThat(entries(events, "belljar.sandboxes")).last().asString()
                .contains("children restored from warm templates with CRIU").contains("1 template");
        assertThat(descendantsButTheWatchdog()).as("neither templates nor restored children are left").isEmpty();
    }

    @Test
    void aLaterRunRestoresEvenItsFirstTestFromTheImageAnEarlierRunKept() {
        runEngine(Restored.class).assertStatistics(s -> s.succeeded(3).failed(0));

        Events later = runEngine(Restored.class);

        later.assertStatistics(s -> s.succeeded(3).failed(0));
        assertThat(entries(later, "belljar.child")).containsExactly(RESTORED, RESTORED, RESTORED);
        assertThat(entries(later, "belljar.sandboxes")).last().asString().contains("1 kept from before")
                .doesNotContain("made");
    }

    @Test
    void aLaterTestJvmTrustsTheCheckAndTrialThatAnEarlierOnePassedWithTheSameCriu(@TempDir Path dir) throws IOException {
        // The same binary all along; once the flag file exists, its check fails.
        Path flag = dir.resolve("check-fails");
        Path criu = dir.resolve("criu");
        Files.writeString(criu, """
                #!/bin/sh
                if [ "$1" = check ] && [ -e %s ]; then echo 'Error (fake): check fails' >&2; exit 1; fi
                exec %s "$@"
                """.formatted(flag, Criu.probe().criu().path()));
        Files.setPosixFilePermissions(criu, PosixFilePermissions.fromString("rwx------"));
        System.setProperty(Criu.LOCATION_PROPERTY, criu.toString());
        try {
            runEngine(Restored.class).assertStatistics(s -> s.succeeded(3).failed(0));
            Files.createFile(flag);

            Events later = runEngine(Restored.class);

            later.assertStatistics(s -> s.succeeded(3).failed(0));
            assertThat(entries(later, "belljar.child")).as("no check, no trial: the first run's verdict holds")
                    .containsExactly(RESTORED, RESTORED, RESTORED);
        } finally {
            System.clearProperty(Criu.LOCATION_PROPERTY);
        }
        assertThat(Criu.probe().unavailable()).as("the real CRIU, checked again").isNull();
    }

    @Test
    void aRestoredChildIsOomKilledAtItsOwnLimitAndItsExitStatusComesBack() {
        Events events = runEngine(RestoredUnderALimit.class);

        events.assertStatistics(s -> s.succeeded(2).failed(1));
        assertThat(entries(events, "belljar.child")).containsExactly("fresh", RESTORED, RESTORED);
        assertThat(entries(events, "belljar.outcome")).containsExactly("PASSED", "OOM_KILLED", "CRASHED");
        assertThat(entries(events, "belljar.memory.limitBytes")).containsOnly(Long.toString(96L << 20));
        events.assertThatEvents().haveExactly(1, event(test("c"), finishedWithFailure(
                message(m -> m.contains("the child JVM exited with status 3 before the test finished")))));
    }

    @Test
    void aChildThatTheTestsOfAClassShareIsRestoredAndSoIsTheOneAfterAnOomKill() {
        Events events = runEngine(SharedAndRestored.class);

        events.assertStatistics(s -> s.succeeded(4).failed(0));
        assertThat(entries(events, "belljar.child")).as("a shared child's template is made at once").hasSize(4)
                .containsOnly("shared by the tests of its class, " + RESTORED);
        assertThat(entries(events, "belljar.outcome")).containsExactly("PASSED", "PASSED", "OOM_KILLED", "PASSED");
        List<String> jvms = entries(events, "jvm");
        assertThat(jvms).hasSize(3);
        assertThat(jvms.get(1)).as("one child for the first two tests").isEqualTo(jvms.get(0));
        assertThat(jvms.get(2)).as("a new one after the OOM kill").isNotEqualTo(jvms.get(0));
        assertThat(descendantsButTheWatchdog()).as("neither templates nor restored children are left").isEmpty();
    }

    @Test
    void aRestoredChildMakesTheHostReadOnlyAndPrintsToItsOwnOutput() {
        PrintStream original = System.out;
        ByteArrayOutputStream replayed = new ByteArrayOutputStream();
        Events events;
        System.setOut(new PrintStream(replayed, true, StandardCharsets.UTF_8));
        try {
            events = runEngine(RestoredReadOnly.class);
        } finally {
            System.setOut(original);
        }

        events.assertStatistics(s -> s.succeeded(3).failed(0));
        assertThat(entries(events, "belljar.child")).containsExactly("fresh", RESTORED, RESTORED);
        assertThat(replayed.toString(StandardCharsets.UTF_8).lines().filter(line -> line.startsWith("output of ")))
                .as("each child's output, once").containsExactly("output of a(TestInfo)", "output of b(TestInfo)",
                        "output of c(TestInfo)");
    }

    @Test
    void aTemplateIsMadeAgainWhenAJarOnTheClassPathChanged(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("rebuilt.jar");
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.zip.ZipEntry("marker.txt"));
        }
        System.setProperty(RebuiltJar.PROPERTY, jar.toString());
        Thread thread = Thread.currentThread();
        ClassLoader original = thread.getContextClassLoader();
        Events events;
        try (URLClassLoader withJar = new URLClassLoader(new URL[] {jar.toUri().toURL()}, original)) {
            thread.setContextClassLoader(withJar);
            // Without spares: each test's child is restored when its test starts.
            events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(RebuiltJar.class))
                    .configurationParameter("belljar.child.prestart", "false").execute().testEvents();
        } finally {
            thread.setContextClassLoader(original);
            System.clearProperty(RebuiltJar.PROPERTY);
        }

        events.assertStatistics(s -> s.succeeded(3).failed(0));
        assertThat(entries(events, "belljar.child")).containsExactly("fresh", RESTORED, RESTORED);
        assertThat(entries(events, "belljar.sandboxes").get(1)).contains("1 template");
        assertThat(entries(events, "belljar.sandboxes").get(2)).as("made again after b changed the jar")
                .contains("2 templates");
    }

    @Test
    void aRestoreThatFailsIsReportedAndItsTestRunsInAFreshChild(@TempDir Path dir) throws IOException {
        // Dumps and the trial go to the real CRIU; restores of Belljar's templates fail.
        Path criu = Criu.probe().criu().path();
        Path failing = dir.resolve("criu");
        Files.writeString(failing, """
                #!/bin/sh
                if [ "$1" = restore ]; then
                  case "$*" in *belljar-templates*) echo 'Error (fake): this restore fails' >&2; exit 1 ;; esac
                fi
                exec %s "$@"
                """.formatted(criu));
        Files.setPosixFilePermissions(failing, PosixFilePermissions.fromString("rwx------"));
        System.setProperty(Criu.LOCATION_PROPERTY, failing.toString());
        try {
            Events events = runEngine(Restored.class);

            events.assertStatistics(s -> s.succeeded(3).failed(0));
            assertThat(entries(events, "belljar.child")).doesNotContain(RESTORED);
            assertThat(entries(events, "belljar.sandboxes")).last().asString().contains("children restored from warm templates");
        } finally {
            System.clearProperty(Criu.LOCATION_PROPERTY);
        }
    }

    @Test
    void restoringCanBeTurnedOff() {
        Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(Restored.class))
                .configurationParameter("belljar.child.restore", "false").execute().testEvents();

        events.assertStatistics(s -> s.succeeded(3).failed(0));
        assertThat(entries(events, "belljar.child")).doesNotContain(RESTORED);
        assertThat(entries(events, "belljar.sandboxes")).last().asString()
                .contains("children start fresh: belljar.child.restore=false");
    }

    @TestMethodOrder(MethodOrderer.MethodName.class)
    @Isolated(memory = "128M")
    static class Restored {
        private static final String JVM = UUID.randomUUID().toString();
        static int ran;

        @Test
        void a(TestReporter reporter) {
            publishWhatIsItsOwn(reporter);
            ran++;
        }

        @Test
        void b(TestReporter reporter) {
            publishWhatIsItsOwn(reporter);
            assertThat(ran).as("nothing of the test before").isZero();
            ran++;
        }

        @Test
        void c(TestReporter reporter) {
            publishWhatIsItsOwn(reporter);
            assertThat(ran).as("nothing of the tests before").isZero();
        }

        private static void publishWhatIsItsOwn(TestReporter reporter) {
            reporter.publishEntry("jvm", JVM);
            reporter.publishEntry("random", ThreadLocalRandom.current().nextLong() + " " + Math.random());
            reporter.publishEntry("run", inodeOfRun());
        }

        static String inodeOfRun() {
            try {
                return Files.getAttribute(Path.of("/run"), "unix:ino").toString();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** One child for the tests of the class; the third is OOM-killed, the fourth gets a new one. */
    @TestMethodOrder(MethodOrderer.MethodName.class)
    @Isolated(memory = "96M", reuse = Reuse.CLASS)
    static class SharedAndRestored {
        private static final String JVM = UUID.randomUUID().toString();

        @Test
        void a(TestReporter reporter) {
            reporter.publishEntry("jvm", JVM);
        }

        @Test
        void b(TestReporter reporter) {
            reporter.publishEntry("jvm", JVM);
        }

        @Test
        @Expect(outcome = Outcome.OOM_KILLED)
        void c() {
            touchNativeMemoryUntilOomKilled();
        }

        @Test
        void d(TestReporter reporter) {
            reporter.publishEntry("jvm", JVM);
        }
    }

    /** The second test changes a jar on its class path, as a rebuild during the run would. */
    @TestMethodOrder(MethodOrderer.MethodName.class)
    @Isolated
    static class RebuiltJar {
        static final String PROPERTY = "belljar.test.rebuiltJar";

        @Test
        void a() {
        }

        @Test
        void b() throws IOException {
            Path jar = Path.of(System.getProperty(PROPERTY));
            assertThat(System.getProperty("java.class.path")).contains(jar.toString());
            Files.write(jar, Files.readAllBytes(jar), java.nio.file.StandardOpenOption.APPEND);
        }

        @Test
        void c() {
        }
    }

    /** Each test writes its name on stdout: the output a test's child leaves must be its own. */
    @TestMethodOrder(MethodOrderer.MethodName.class)
    @Isolated(readOnly = "/")
    static class RestoredReadOnly {
        static void readOnlyAndOwnOutput(TestInfo test) {
            assertThatThrownBy(() -> Files.writeString(Path.of("/etc/belljar-should-not-exist"), "x"))
                    .isInstanceOf(IOException.class).hasMessageContaining("Read-only file system");
            System.out.println("output of " + test.getDisplayName());
        }

        @Test
        void a(TestInfo test) {
            readOnlyAndOwnOutput(test);
        }

        @Test
        void b(TestInfo test) {
            readOnlyAndOwnOutput(test);
        }

        @Test
        void c(TestInfo test) {
            readOnlyAndOwnOutput(test);
        }
    }

    @TestMethodOrder(MethodOrderer.MethodName.class)
    @Isolated(memory = "96M")
    static class RestoredUnderALimit {
        @Test
        void a() {
        }

        @Test
        @Expect(outcome = Outcome.OOM_KILLED)
        void b() {
            touchNativeMemoryUntilOomKilled();
        }

        @Test
        void c() {
            System.exit(3);
        }
    }
}
