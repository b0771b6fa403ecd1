package dev.belljar;

import dev.belljar.linux.cgroup.CgroupManager;
import dev.belljar.linux.cgroup.CgroupVersion;
import dev.belljar.linux.criu.Criu;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The doctor on this host (root or a delegated user, cgroups, util-linux): every default item works and is printed. */
class DoctorTest extends KernelTest {

    @Test
    void reportsEveryItemAndTheDefaultsWorkHere() {
        Doctor doctor = Doctor.examine();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        doctor.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);
        assertThat(report).contains("util-linux unshare", "cgroups", "cgroup delegation", "cgroup controller memory",
                "pid namespace", "network namespace", "user namespace", "time namespace", "cgroup namespace",
                "pressure stall information", "checkpoint/restore (CRIU)");
        assertThat(doctor.findings()).filteredOn(f -> f.item().endsWith("namespace")).hasSize(8)
                .allMatch(Doctor.Finding::ok);
        assertThat(doctor.defaultsWork()).as(report).isTrue();
    }

    @Test
    void claimsPressureDataOnlyWhereSandboxesGetIt() {
        Doctor.Finding pressure = Doctor.examine().findings().stream()
                .filter(f -> f.item().equals("pressure stall information")).findFirst().orElseThrow();
        boolean mainlineV1;
        try (CgroupManager cgroups = CgroupManager.detect(Optional.empty())) {
            mainlineV1 = cgroups.version() == CgroupVersion.V1 && !Files.exists(Path.of("/sys/fs/cgroup/cpuacct/cpu.pressure"));
        }
        if (mainlineV1) {
            assertThat(pressure.ok()).as(pressure.toString()).isFalse();
            assertThat(pressure.detail()).contains("sandboxes report none");
        } else {
            assertThat(pressure.ok()).as(pressure.toString()).isEqualTo(Files.exists(Path.of("/proc/pressure/cpu")));
        }
    }

    @Test
    void saysWhereBelljarKeepsTheKernelFeaturesThatCriuCannotKeep() {
        Doctor.Finding restore = Doctor.examine().findings().stream()
                .filter(f -> f.item().equals("checkpoint/restore (CRIU)")).findFirst().orElseThrow();
        assumeTrue(restore.ok(), () -> "no restores here: " + restore.detail());

        if (Criu.keepsKernelFeaturesItself()) {
            assertThat(restore.detail()).doesNotContain(Doctor.KERNEL_FEATURES_KEPT);
        } else {
            assertThat(restore.detail()).endsWith(Doctor.KERNEL_FEATURES_KEPT);
        }
    }
}
