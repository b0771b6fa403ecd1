package dev.belljar.linux.criu;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What of CRIU's output reaches the user: its errors, not the probes it reports as errors too. */
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
}
