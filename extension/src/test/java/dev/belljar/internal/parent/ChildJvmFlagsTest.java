package dev.belljar.internal.parent;

import dev.belljar.spec.SandboxSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The child's flags never stop it from starting: on a JDK that lacks one of them, or with a limit beyond the host. */
class ChildJvmFlagsTest {

    @Test
    void aTuningFlagThisJdkDoesNotKnowIsIgnored() throws Exception {
        List<String> flags = new ArrayList<>(ChildJvm.BASE_FLAGS);
        // Stands for a flag that a later JDK removed (ArchiveRelocationMode is a diagnostic flag).
        flags.add("-XX:BelljarFlagNoJdkHas=0");
        String output = startsWith(flags);
        assertThat(output).doesNotContain("Unrecognized VM option");
    }

    /** A limit far beyond this host's memory is accepted; the child's heap must still be one it can reserve. */
    @Test
    void aMemoryLimitBeyondTheHostsStillStartsTheChild() throws Exception {
        List<String> flags = ChildJvm.flags(SandboxSpec.builder().memory("1000000T").build()).stream()
                .filter(flag -> flag.startsWith("-XX:") || flag.startsWith("-Xss")).toList();
        assertThat(flags).anySatisfy(flag -> assertThat(flag).startsWith("-XX:MaxRAM=")
                .isNotEqualTo("-XX:MaxRAM=" + (1000000L << 40)));
        startsWith(flags);
    }

    @Test
    void underASmallMemoryLimitTheChildCompilesLaterAndHasOneScalingOnly() {
        List<String> small = ChildJvm.flags(SandboxSpec.builder().memory("32M").build());
        assertThat(small.stream().filter(flag -> flag.startsWith("-XX:CompileThresholdScaling="))).as("one, not two")
                .containsExactly(ChildJvm.SMALL_LIMIT_COMPILE_THRESHOLD_SCALING);
        assertThat(ChildJvm.flags(SandboxSpec.builder().memory("65M").build())).contains("-XX:CompileThresholdScaling=10")
                .doesNotContain(ChildJvm.SMALL_LIMIT_COMPILE_THRESHOLD_SCALING);
        assertThat(ChildJvm.flags(SandboxSpec.builder().build())).contains("-XX:CompileThresholdScaling=10");
    }

    /** Runs {@code java -version} with {@code flags}; returns its output after checking it started. */
    private static String startsWith(List<String> flags) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(flags);
        command.add("-version");
        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes());
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(java.exitValue()).as(output).isZero();
        return output;
    }
}
