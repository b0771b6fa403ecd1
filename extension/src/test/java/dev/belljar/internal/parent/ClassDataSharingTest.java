package dev.belljar.internal.parent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
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
}
