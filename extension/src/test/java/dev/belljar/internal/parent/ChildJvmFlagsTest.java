package dev.belljar.internal.parent;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The child's tuning flags never stop it from starting on a JDK that lacks one of them. */
class ChildJvmFlagsTest {

    @Test
    void aTuningFlagThisJdkDoesNotKnowIsIgnored() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ChildJvm.BASE_FLAGS);
        // Stands for a flag that a later JDK removed (ArchiveRelocationMode is a diagnostic flag).
        command.add("-XX:BelljarFlagNoJdkHas=0");
        command.add("-version");
        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes());

        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(java.exitValue()).as(output).isZero();
        assertThat(output).doesNotContain("Unrecognized VM option");
    }
}
