package dev.belljar.internal.child;

import dev.belljar.linux.host.Host;
import dev.belljar.linux.ns.Privileges;
import dev.belljar.spec.SandboxSpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A template rehearses the last set-up steps before its checkpoint: every one runs, and none
 * reaches past the thread that ran it. Run here in the test JVM itself, which must come out of it
 * with its mounts and capabilities as they were.
 */
@Tag("kernel")
class SetupRehearsalTest {

    @Test
    void theStepsRunInAThreadOfTheirOwnAndLeaveTheProcessAsItWas() throws Exception {
        Assumptions.assumeTrue(Host.effectiveUid() == 0, "templates are made by root test JVMs only");
        List<SetupStep> steps = SetupStep.plan(SandboxSpec.builder().build(), false);
        assertThat(steps).extracting(SetupStep::kind).contains(SetupStep.Kind.PROTECT_KERNEL_FILES,
                SetupStep.Kind.BOUND_CAPABILITIES, SetupStep.Kind.KEEP_CAPABILITIES);
        String mountsBefore = Files.readString(Path.of("/proc/thread-self/mountinfo"));
        Privileges.Sets capabilitiesBefore = Privileges.ofThisThread();

        assertThat(SetupStep.rehearse(steps)).as("every rehearsed step ran").isTrue();

        assertThat(Files.readString(Path.of("/proc/thread-self/mountinfo"))).isEqualTo(mountsBefore);
        assertThat(Privileges.ofThisThread()).isEqualTo(capabilitiesBefore);
        assertThat(Files.isReadable(Path.of("/proc/sys/kernel/hostname"))).isTrue();
    }
}
