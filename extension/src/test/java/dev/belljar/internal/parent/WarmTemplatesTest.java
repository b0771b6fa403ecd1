package dev.belljar.internal.parent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;

import dev.belljar.linux.host.Host;
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

    @Test
    void aFolderOfTemplatesOthersMayWriteToIsNotUsedAndTheRunSaysWhy(@TempDir Path tmp) throws Exception {
        Path planted = Files.createDirectory(tmp.resolve("belljar-templates-" + Host.effectiveUid()));
        Files.setPosixFilePermissions(planted, PosixFilePermissions.fromString("rwxrwxrwx"));
        String tmpdir = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", tmp.toString());
        try {
            // The folder is checked before anything of the host: none is needed to refuse it.
            WarmTemplates templates = new WarmTemplates(null, true);

            assertThat(templates.usable()).isFalse();
            assertThat(templates.describe()).hasValueSatisfying(how -> assertThat(how)
                    .startsWith("children start fresh: no folder for templates: " + planted + " may be written by others"));
        } finally {
            System.setProperty("java.io.tmpdir", tmpdir);
        }
    }
}
