package dev.belljar.linux.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SandboxNameTest {

    @Test
    void namesAreTheOwnersPidAndItsCount() {
        assertThat(SandboxName.parse("belljar-4711-3")).contains(new SandboxName(4711, 3));
        assertThat(new SandboxName(4711, 3)).hasToString("belljar-4711-3");
    }

    @Test
    void otherDirectoriesAreNoSandboxes() {
        assertThat(SandboxName.parse("belljar-host")).isEmpty();
        assertThat(SandboxName.parse("belljar-kt-4711-3")).isEmpty();
        assertThat(SandboxName.parse("belljar-4711-3-inner")).isEmpty();
        assertThat(SandboxName.parse("belljar-4711")).isEmpty();
        assertThat(SandboxName.parse("belljar-cds")).isEmpty();
        assertThat(SandboxName.parse("belljar-1234567890123456789-1")).as("more digits than a long holds").isEmpty();
    }
}
