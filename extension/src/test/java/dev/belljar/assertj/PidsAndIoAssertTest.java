package dev.belljar.assertj;

import dev.belljar.SandboxResult;
import org.junit.jupiter.api.Test;

import java.util.OptionalInt;
import java.util.OptionalLong;

import static dev.belljar.assertj.BelljarAssertions.assertThat;
import static dev.belljar.assertj.SandboxResults.message;
import static dev.belljar.assertj.SandboxResults.passed;
import static dev.belljar.assertj.SandboxResults.with;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PidsAndIoAssertTest {

    @Test
    void peakIsAtMostComparesWithTheLimitShown() {
        assertThat(passed()).pids().peakIsAtMost(31);
        assertThatThrownBy(() -> assertThat(passed()).pids().peakIsAtMost(30))
                .hasMessage(message("Expecting the sandbox's peak number of processes and threads to be at most:", "  30",
                        "but was:", "  31 (limit 64)"));
    }

    @Test
    void anUnreportedPidsPeakFailsEvenWithACurrentCount() {
        SandboxResult v1 = with(new SandboxResult.Pids(OptionalInt.empty(), 3, OptionalLong.empty()));
        assertThatThrownBy(() -> assertThat(v1).pids().peakIsAtMost(100))
                .hasMessage(message("Expecting the sandbox's peak number of processes and threads to be at most:", "  100",
                        "but this host does not report the sandbox's peak number of processes and threads"
                                + " (cgroup v1 and Linux before 6.1 keep no pids peak)"));
    }

    @Test
    void ioPassesWithinItsBounds() {
        assertThat(passed()).io().wroteAtLeast("12M").wroteAtMost("12M").readAtLeast("8M").readAtMost("8M");
        assertThat(with(new SandboxResult.Io(OptionalLong.of(0), OptionalLong.of(0)))).io().readAtMost("0").wroteAtMost("0");
    }

    @Test
    void ioFailsOutsideItsBounds() {
        assertThatThrownBy(() -> assertThat(passed()).io().wroteAtLeast("1G"))
                .hasMessage(message("Expecting the bytes the sandbox wrote to block devices to be at least:", "  1 GiB",
                        "but was:", "  12 MiB"));
        assertThatThrownBy(() -> assertThat(passed()).io().wroteAtMost("1M"))
                .hasMessage(message("Expecting the bytes the sandbox wrote to block devices to be at most:", "  1 MiB",
                        "but was:", "  12 MiB"));
        assertThatThrownBy(() -> assertThat(passed()).io().readAtMost("0"))
                .hasMessage(message("Expecting the bytes the sandbox read from block devices to be at most:", "  0 B",
                        "but was:", "  8 MiB"));
        assertThatThrownBy(() -> assertThat(passed()).io().readAtLeast("9M"))
                .hasMessage(message("Expecting the bytes the sandbox read from block devices to be at least:", "  9 MiB",
                        "but was:", "  8 MiB"));
    }

    @Test
    void unreportedIoFailsAndIsNeverZero() {
        SandboxResult unaccounted = with(new SandboxResult.Io(OptionalLong.empty(), OptionalLong.empty()));
        assertThatThrownBy(() -> assertThat(unaccounted).io().readAtMost("0"))
                .hasMessage(message("Expecting the bytes the sandbox read from block devices to be at most:", "  0 B",
                        "but this host does not report the bytes the sandbox read from block devices"));
        assertThatThrownBy(() -> assertThat(unaccounted).io().wroteAtLeast("1M"))
                .hasMessageEndingWith("but this host does not report the bytes the sandbox wrote to block devices");
    }
}
