package dev.belljar.linux.ns;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Capability sets as /proc/<pid>/status writes them; text made up after a real file, no process changed. */
class PrivilegesTest {
    private static final String STATUS = """
            Name:\tjava
            Uid:\t0\t0\t0\t0
            CapInh:\t0000000000000000
            CapPrm:\t0000000020000420
            CapEff:\t0000000020000420
            CapBnd:\t0000000020001420
            CapAmb:\t0000000000000000
            NoNewPrivs:\t1
            Seccomp:\t0
            """;

    @Test
    void readsEachSetAndNoNewPrivs() {
        Privileges.Sets sets = Privileges.Sets.parse(STATUS);
        assertThat(sets.effective()).isEqualTo(Capability.RUNC_DEFAULTS);
        assertThat(sets.permitted()).isEqualTo(Capability.RUNC_DEFAULTS);
        assertThat(sets.bounding()).isEqualTo(Set.of(Capability.AUDIT_WRITE, Capability.KILL,
                Capability.NET_BIND_SERVICE, Capability.NET_ADMIN));
        assertThat(sets.inheritable()).isEmpty();
        assertThat(sets.ambient()).isEmpty();
        assertThat(sets.noNewPrivs()).isTrue();
    }

    @Test
    void aFullSetHasEveryCapabilityThisBuildKnows() {
        Privileges.Sets sets = Privileges.Sets.parse(STATUS.replace("CapEff:\t0000000020000420", "CapEff:\t000001ffffffffff")
                .replace("NoNewPrivs:\t1", "NoNewPrivs:\t0"));
        assertThat(sets.effective()).isEqualTo(EnumSet.allOf(Capability.class));
        assertThat(sets.noNewPrivs()).isFalse();
    }

    @Test
    void aMissingSetIsNamed() {
        assertThatThrownBy(() -> Privileges.Sets.parse("Name:\tjava\n")).hasMessageContaining("CapInh");
    }

    @Test
    void capabilitiesHaveTheKernelsNumbersAndNames() {
        assertThat(Capability.SYS_ADMIN.number()).isEqualTo(21);
        assertThat(Capability.CHECKPOINT_RESTORE.number()).isEqualTo(40);
        assertThat(Capability.maskOf(Capability.RUNC_DEFAULTS)).isEqualTo(0x20000420L);
        assertThat(Capability.named("cap_sys_admin")).hasValue(Capability.SYS_ADMIN);
        assertThat(Capability.named(" Net_Admin ")).hasValue(Capability.NET_ADMIN);
        assertThat(Capability.named("SYS_ADMN")).isEmpty();
    }
}
