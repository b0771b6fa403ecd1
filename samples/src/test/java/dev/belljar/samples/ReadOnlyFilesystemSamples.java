package dev.belljar.samples;

import dev.belljar.Isolated;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Code that must not write where it should not: the whole host is read-only, /tmp is a fresh tmpfs. */
class ReadOnlyFilesystemSamples {

    // tag::read-only[]
    @Test
    @Isolated(readOnly = "/", tmpfs = "/tmp:16M")
    void writesOnlyToItsScratchSpace() throws IOException {
        assertThatThrownBy(() -> Files.writeString(Path.of("/var/tmp/belljar-sample-should-not-exist"), "x"))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("Read-only file system");

        Path scratch = Files.writeString(Path.of("/tmp/scratch.txt"), "fits in the tmpfs");
        assertThat(scratch).hasContent("fits in the tmpfs");
    }
    // end::read-only[]
}
