package dev.belljar.internal.parent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Old class-data-sharing archives are pruned: only the most recently used ones stay. */
class ClassDataSharingTest {

    @Test
    void pruningKeepsTheMostRecentlyUsedArchivesAndNothingElseIsTouched(@TempDir Path dir) throws Exception {
        for (int i = 0; i < 10; i++) {
            // Dynamic CDS archives (JDK 17-24) and AOT caches (JDK 25+) alike.
            Path archive = Files.createFile(dir.resolve("child-%016x.%s".formatted(i, i % 2 == 0 ? "jsa" : "aot")));
            Files.setLastModifiedTime(archive, FileTime.fromMillis(1_000_000L * (i + 1)));
        }
        Path unrelated = Files.createFile(dir.resolve("notes.txt"));
        Files.setLastModifiedTime(unrelated, FileTime.fromMillis(0));

        ClassDataSharing.pruneOldArchives(dir, 8);

        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(path -> path.getFileName().toString()))
                    .hasSize(9)
                    .contains("notes.txt", "child-%016x.jsa".formatted(2), "child-%016x.aot".formatted(9))
                    .doesNotContain("child-%016x.jsa".formatted(0), "child-%016x.aot".formatted(1));
        }
    }

    @Test
    void usingAnArchiveLeavesItUntouchedAndKeepsItFromPruning(@TempDir Path dir) throws Exception {
        for (int i = 0; i < 10; i++) {
            Path archive = Files.createFile(dir.resolve("child-%016x.jsa".formatted(i)));
            Files.setLastModifiedTime(archive, FileTime.fromMillis(1_000_000L * (i + 1)));
        }
        Path oldest = dir.resolve("child-%016x.jsa".formatted(0));
        Object identity = Files.readAttributes(oldest, BasicFileAttributes.class).fileKey();

        ClassDataSharing.markUsed(oldest);
        ClassDataSharing.pruneOldArchives(dir, 8);

        // Templates made with an archive are named by its identity: a use must not change it.
        assertThat(Files.getLastModifiedTime(oldest)).isEqualTo(FileTime.fromMillis(1_000_000L));
        assertThat(Files.readAttributes(oldest, BasicFileAttributes.class).fileKey()).isEqualTo(identity);
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(path -> path.getFileName().toString()))
                    .hasSize(9)
                    .contains("child-%016x.jsa".formatted(0), "child-%016x.jsa.used".formatted(0),
                            "child-%016x.jsa".formatted(9))
                    .doesNotContain("child-%016x.jsa".formatted(1), "child-%016x.jsa".formatted(2));
        }
    }

    @Test
    void pruningAnArchiveRemovesItsMarkerToo(@TempDir Path dir) throws Exception {
        Path old = Files.createFile(dir.resolve("child-%016x.aot".formatted(1)));
        ClassDataSharing.markUsed(old);
        Files.setLastModifiedTime(dir.resolve("child-%016x.aot.used".formatted(1)), FileTime.fromMillis(1));
        Files.setLastModifiedTime(old, FileTime.fromMillis(1));
        Files.setLastModifiedTime(Files.createFile(dir.resolve("child-%016x.aot".formatted(2))), FileTime.fromMillis(5));

        ClassDataSharing.pruneOldArchives(dir, 1);

        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(path -> path.getFileName().toString())).containsExactly("child-%016x.aot".formatted(2));
        }
    }
}
