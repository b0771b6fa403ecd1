package dev.belljar.internal.parent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarmTemplatesTest {

    @Test
    void aClassDirectoryNamesAnotherTemplateOnceAClassInItIsRebuilt(@TempDir Path classes) throws Exception {
        Path belljar = Files.createDirectories(classes.resolve("dev/belljar/internal"));
        Path compiled = Files.write(belljar.resolve("Some.class"), new byte[] {1, 2, 3});
        Files.setLastModifiedTime(compiled, FileTime.fromMillis(1_000_000));
        String before = WarmTemplates.identityOfClassDirectory(classes);

        assertThat(WarmTemplates.identityOfClassDirectory(classes)).as("nothing changed").isEqualTo(before);
        Files.write(compiled, new byte[] {1, 2, 4});
        Files.setLastModifiedTime(compiled, FileTime.fromMillis(2_000_000));
        assertThat(WarmTemplates.identityOfClassDirectory(classes)).as("a class rebuilt, same size").isNotEqualTo(before);
    }

    @Test
    void aMissingClassDirectoryIsUnreadableNotAnError(@TempDir Path dir) {
        assertThat(WarmTemplates.identityOfClassDirectory(dir.resolve("gone"))).isEqualTo("unreadable");
    }
}
