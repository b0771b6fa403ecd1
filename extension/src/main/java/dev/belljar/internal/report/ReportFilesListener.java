package dev.belljar.internal.report;

import dev.belljar.internal.Configuration;
import dev.belljar.internal.MavenBuild;
import dev.belljar.internal.parent.Timeline;
import org.junit.platform.launcher.TestPlan;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Writes the run's report files into {@code belljar.report.dir} (by default {@code target/belljar} of
 * the Maven build's top directory):
 * {@code report.html} and {@code results.json}; {@code belljar.report=false} turns them off.
 *
 * <p>Every test JVM of one Maven build (each Surefire fork of each module; {@code forkCount > 1},
 * {@code reuseForks=false}, {@code -T}) adds its tests to the same files instead of overwriting
 * them: it leaves its part in {@code forks/<the build>/}, and writes both files from every part
 * there, under a lock, so that the test JVM that ends last writes them whole. The parts of earlier
 * builds go. Where no Maven build is found, the forks of one Surefire test run are one build.
 */
public final class ReportFilesListener extends IsolatedTestReports {
    private static final AtomicLong PARTS = new AtomicLong();

    @Override
    void report(TestPlan testPlan, List<IsolatedTest> tests) {
        Configuration configuration = Configuration.of(testPlan.getConfigurationParameters());
        if (!configuration.report()) {
            return;
        }
        Path dir = configuration.reportDirectory();
        try {
            Files.createDirectories(dir);
            List<IsolatedTest> all = withOtherForks(dir, MavenBuild.ofThisJvm().map(MavenBuild::id)
                    .or(IsolatedTestReports::surefireRun), withSamples(tests, dir));
            write(dir.resolve("results.json"), ResultsFile.render(all));
            Path page = dir.resolve("report.html");
            write(page, HtmlReport.render(all));
            System.out.println("Belljar report: " + page.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Belljar report into " + dir.toAbsolutePath(), e);
        }
    }

    /** The samples of each test, from the file the extension wrote them to; the file then goes. */
    static List<IsolatedTest> withSamples(List<IsolatedTest> tests, Path dir) throws IOException {
        List<IsolatedTest> read = new ArrayList<>();
        for (IsolatedTest test : tests) {
            String file = test.entries().get(Timeline.FILE_KEY);
            if (file == null || !Files.exists(dir.resolve(file))) {
                read.add(test);
                continue;
            }
            read.add(test.withSamples(Files.readString(dir.resolve(file)).strip()));
            Files.delete(dir.resolve(file));
        }
        removeOrphanedSamples(dir.resolve("timelines"));
        return read;
    }

    /**
     * Samples that no report will read: those of test JVMs that have ended (named by their PID),
     * such as the isolated tests an engine test kit ran, which no launcher listener sees. Then the
     * directory, if nothing is left.
     */
    private static void removeOrphanedSamples(Path timelines) throws IOException {
        try (Stream<Path> files = Files.list(timelines)) {
            for (Path file : files.toList()) {
                String pid = file.getFileName().toString().replaceFirst("-.*", "");
                if (pid.matches("[0-9]+") && ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (NoSuchFileException e) {
            return;  // none written
        }
        try (Stream<Path> left = Files.list(timelines)) {
            if (left.findAny().isEmpty()) {
                Files.delete(timelines);
            }
        } catch (NoSuchFileException | DirectoryNotEmptyException e) {
            // another test JVM's are still there, or it removed the directory itself
        }
    }

    /**
     * This JVM's tests and those of the other test JVMs of its build that ended before it.
     *
     * @param buildId which build this JVM belongs to; empty where it is not known, and the tests are alone
     */
    @SuppressWarnings("unchecked")
    static List<IsolatedTest> withOtherForks(Path dir, Optional<String> buildId, List<IsolatedTest> own) throws IOException {
        if (buildId.isEmpty()) {
            return own;
        }
        Path forks = dir.resolve("forks");
        Path build = forks.resolve(buildId.get());
        Files.createDirectories(build);
        try (FileChannel lockFile = FileChannel.open(forks.resolve("lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock held = lockFile.lock()) {
            // Surefire may run a fork's classes as several launcher runs: each leaves a part.
            try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(
                    build.resolve(ProcessHandle.current().pid() + "-" + PARTS.incrementAndGet() + ".part")))) {
                out.writeObject(new ArrayList<>(own));
            }
            List<IsolatedTest> all = new ArrayList<>();
            try (Stream<Path> parts = Files.list(build)) {
                for (Path part : parts.sorted().toList()) {
                    try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(part))) {
                        all.addAll((List<IsolatedTest>) in.readObject());
                    } catch (ClassNotFoundException e) {
                        throw new IOException("cannot read " + part, e);
                    }
                }
            }
            removeEarlierRuns(forks, build);
            return all;
        }
    }

    /** The parts of earlier builds: a new build's report starts afresh, as it does without forks. */
    private static void removeEarlierRuns(Path forks, Path current) throws IOException {
        try (Stream<Path> builds = Files.list(forks)) {
            for (Path build : builds.filter(Files::isDirectory).filter(b -> !b.equals(current)).toList()) {
                try (Stream<Path> parts = Files.list(build)) {
                    for (Path part : parts.toList()) {
                        Files.delete(part);
                    }
                }
                Files.delete(build);
            }
        }
    }

    /** Written aside and moved in: a reader never sees half a file. */
    private static void write(Path file, String content) throws IOException {
        Path written = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        Files.writeString(written, content);
        Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
