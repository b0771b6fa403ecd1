package dev.belljar.linux.criu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/** What of CRIU's output reaches the user, and what Belljar asks it. */
class CriuTest {

    @Test
    void errorsLeaveOutToolProbesAndTimestamps() {
        String log = """
                (00.000010) Version: 3.17.1
                Error (criu/util.c:642): exited, status=1
                (02.138714) Error (criu/util.c:1567): iptables-save -V failed
                (02.891627) Error (criu/files-reg.c:2140): File tmp/w/stdout has bad size 153 (expect 134)
                (02.891700) Error (criu/cr-restore.c:2396): Restoring FAILED.
                """;
        assertThat(Criu.firstErrors(log)).isEqualTo("Error (criu/files-reg.c:2140): File tmp/w/stdout has bad size 153"
                + " (expect 134); Error (criu/cr-restore.c:2396): Restoring FAILED.");
    }

    @Test
    void aLogWithoutErrorsGivesNone() {
        assertThat(Criu.firstErrors("(00.1) Restore finished successfully\n")).isEmpty();
    }

    @Test
    void itsVersionIsAskedOncePerBinaryEvenAcrossInstances(@TempDir Path dir) throws IOException {
        Path asked = dir.resolve("asked");
        Path criu = dir.resolve("criu");
        Files.writeString(criu, "#!/bin/sh\necho x >> " + asked + "\necho 'Version: 4.1.1'\n");
        Files.setPosixFilePermissions(criu, PosixFilePermissions.fromString("rwx------"));

        assertThat(Criu.known(criu).version()).isEqualTo("4.1.1");
        assertThat(Criu.known(criu).version()).isEqualTo("4.1.1");
        assertThat(Files.readAllLines(asked)).as("asked once").hasSize(1);

        Files.writeString(criu, "#!/bin/sh\necho x >> " + asked + "\necho 'Version: 4.2'\n");
        Files.setLastModifiedTime(criu, FileTime.fromMillis(Files.getLastModifiedTime(criu).toMillis() + 1000));
        assertThat(Criu.known(criu).version()).as("another build").isEqualTo("4.2");
        assertThat(Files.readAllLines(asked)).hasSize(2);
    }
}
