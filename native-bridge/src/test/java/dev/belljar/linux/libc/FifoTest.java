package dev.belljar.linux.libc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FifoTest {

    @Test
    void makesANamedPipeWithTheGivenPermissions(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("pipe");

        Syscalls.makeFifo(fifo.toString(), 0600);

        PosixFileAttributes attributes = Files.readAttributes(fifo, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertThat(attributes.isOther()).as("neither file, directory nor link: a pipe").isTrue();
        assertThat(PosixFilePermissions.toString(attributes.permissions())).isEqualTo("rw-------");
    }

    @Test
    void aTakenPathIsReportedWithTheCallAndErrno(@TempDir Path dir) throws Exception {
        Path taken = Files.createFile(dir.resolve("taken"));

        assertThatThrownBy(() -> Syscalls.makeFifo(taken.toString(), 0600))
                .isInstanceOf(NativeException.class)
                .hasMessageContaining("mkfifo(\"" + taken + "\", 0600)")
                .hasMessageContaining("EEXIST");
    }
}
