package dev.belljar.linux.cgroup;

import java.util.OptionalLong;

/**
 * Pressure stall information (PSI) of one resource: how long tasks of the cgroup waited for it,
 * from the {@code total=} fields of {@code cpu.pressure}, {@code memory.pressure} or
 * {@code io.pressure}.
 *
 * @param someTotalMicros  time in which at least one task was stalled ({@code some ... total=N})
 * @param fullTotalMicros  time in which all non-idle tasks were stalled at once ({@code full ... total=N});
 *                         empty where the kernel prints no {@code full} line (cpu before Linux 5.13)
 */
public record Pressure(long someTotalMicros, OptionalLong fullTotalMicros) {
}
