package dev.belljar;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The doctor on this host (root, cgroups, util-linux): every default item works and is printed. */
class DoctorTest extends KernelTest {

    @Test
    void reportsEveryItemAndTheDefaultsWorkHere() {
        Doctor doctor = Doctor.examine();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        doctor.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);
        assertThat(report).contains("util-linux unshare", "cgroups", "cgroup controller memory", "pid namespace",
                "network namespace", "user namespace", "time namespace", "pressure stall information",
                "checkpoint/restore (CRIU)");
        assertThat(doctor.findings()).filteredOn(f -> f.item().endsWith("namespace")).allMatch(Doctor.Finding::ok);
        assertThat(doctor.defaultsWork()).as(report).isTrue();
    }
}
