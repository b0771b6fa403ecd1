package dev.belljar.assertj;

import dev.belljar.Outcome;
import dev.belljar.SandboxResult;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** Results as a sandbox would report them, one group at a time replaceable, and the message layout. */
final class SandboxResults {
    static final long MIB = 1024 * 1024;
    static final long MS = 1_000_000;

    /** 52.3 MiB peak of a 64 MiB limit, 30 MiB baseline, no OOM kill. */
    static final SandboxResult.Memory MEMORY = new SandboxResult.Memory(OptionalLong.of(64 * MIB),
            OptionalLong.of(54_840_934), 40 * MIB, OptionalLong.of(30 * MIB), 0,
            OptionalLong.empty(), false);
    /** 1.2 s CPU at 0.5 cores, 0.8 s baseline, throttled 340 ms in 12 of 120 periods. */
    static final SandboxResult.Cpu CPU = new SandboxResult.Cpu(OptionalDouble.of(0.5), 1200 * MS, 1000 * MS, 200 * MS,
            OptionalLong.of(800 * MS), 120, 12, 340 * MS);
    static final SandboxResult.Pids PIDS = new SandboxResult.Pids(OptionalInt.of(64), 20, OptionalLong.of(31));
    static final SandboxResult.Io IO = new SandboxResult.Io(OptionalLong.of(8 * MIB), OptionalLong.of(12 * MIB));

    private SandboxResults() {
    }

    static SandboxResult passed() {
        return result(Outcome.PASSED, OptionalInt.of(0), 1500 * MS, MEMORY, CPU, PIDS, IO);
    }

    static SandboxResult ended(Outcome outcome, OptionalInt exitStatus) {
        SandboxResult r = passed();
        return result(outcome, exitStatus, r.wallTimeNanos(), r.memory(), r.cpu(), r.pids(), r.io());
    }

    static SandboxResult with(SandboxResult.Memory memory) {
        SandboxResult r = passed();
        return result(r.outcome(), r.exitStatus(), r.wallTimeNanos(), memory, r.cpu(), r.pids(), r.io());
    }

    static SandboxResult with(SandboxResult.Cpu cpu) {
        SandboxResult r = passed();
        return result(r.outcome(), r.exitStatus(), r.wallTimeNanos(), r.memory(), cpu, r.pids(), r.io());
    }

    static SandboxResult with(SandboxResult.Pids pids) {
        SandboxResult r = passed();
        return result(r.outcome(), r.exitStatus(), r.wallTimeNanos(), r.memory(), r.cpu(), pids, r.io());
    }

    static SandboxResult with(SandboxResult.Io io) {
        SandboxResult r = passed();
        return result(r.outcome(), r.exitStatus(), r.wallTimeNanos(), r.memory(), r.cpu(), r.pids(), io);
    }

    /** AssertJ's layout: the message starts on a line of its own. */
    static String message(String... lines) {
        return System.lineSeparator() + String.join(System.lineSeparator(), lines);
    }

    /** A result without pressure figures, a failure or a value. */
    static SandboxResult result(Outcome outcome, OptionalInt exitStatus, long wallTimeNanos, SandboxResult.Memory memory,
                                SandboxResult.Cpu cpu, SandboxResult.Pids pids, SandboxResult.Io io) {
        return new SandboxResult(outcome, exitStatus, wallTimeNanos, memory, cpu, pids, io, SandboxResult.Pressure.NONE,
                Map.of(), Optional.empty(), Optional.empty());
    }
}
