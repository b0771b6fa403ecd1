package dev.belljar.linux.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Whether the test JVM that made a sandbox still runs, from {@code /proc}. Its PID alone does not
 * say so: once that JVM is gone the kernel may give the PID to a new process. The owner runs when
 * a process with its PID runs (a zombie does not) and started no later than the sandbox was made.
 */
final class SandboxOwners {

    /** {@code /proc/<pid>/stat} counts start times in USER_HZ since boot; the kernel ABI fixes USER_HZ at 100. */
    private static final long MILLIS_PER_TICK = 1000 / 100;
    /** Field 22 of {@code /proc/<pid>/stat}, counted from field 3 (the state), the first after the command name. */
    private static final int START_TIME_FROM_STATE = 22 - 3;

    private final Path proc;

    SandboxOwners(Path proc) {
        this.proc = proc;
    }

    static SandboxOwners real() {
        return new SandboxOwners(Path.of("/proc"));
    }

    /**
     * Whether the sandbox made at {@code made} by the JVM {@code ownerPid} still has its owner. A
     * process that cannot be read is taken to run: a leftover is better than a sandbox killed by mistake.
     */
    boolean runs(long ownerPid, Instant made) {
        OptionalLong ticks = startTicks(ownerPid);
        if (ticks.isEmpty()) {
            return false;
        }
        if (ticks.getAsLong() < 0) {
            return true;
        }
        return !bootTime().plusMillis(ticks.getAsLong() * MILLIS_PER_TICK).isAfter(made);
    }

    /**
     * When {@code pid} started, in ticks since boot: empty when no such process runs (gone, or a
     * zombie whose parent has not reaped it yet), -1 when its stat cannot be read.
     */
    OptionalLong startTicks(long pid) {
        Path stat = proc.resolve(Long.toString(pid)).resolve("stat");
        String text;
        try {
            text = Files.readString(stat);
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            // A process that exits while its stat is read: ESRCH.
            return Files.isDirectory(stat.getParent()) ? OptionalLong.of(-1) : OptionalLong.empty();
        }
        // The command name (field 2) is in parentheses and may hold spaces and parentheses itself.
        String[] fields = text.substring(text.lastIndexOf(')') + 2).trim().split(" ");
        if (fields.length <= START_TIME_FROM_STATE) {
            return OptionalLong.of(-1);
        }
        String state = fields[0];
        if (state.equals("Z") || state.equals("X") || state.equals("x")) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(fields[START_TIME_FROM_STATE]));
        } catch (NumberFormatException e) {
            return OptionalLong.of(-1);
        }
    }

    /** The {@code btime} line of {@code /proc/stat}: when the host booted, in seconds since the epoch. */
    private Instant bootTime() {
        Path stat = proc.resolve("stat");
        try {
            Optional<String> line = Files.readAllLines(stat).stream().filter(l -> l.startsWith("btime ")).findFirst();
            return Instant.ofEpochSecond(ControlFiles.parseLong(stat,
                    line.orElseThrow(() -> new CgroupException(stat + " has no btime line")).substring(6).trim()));
        } catch (IOException e) {
            throw new CgroupException("cannot read " + stat + ": " + ControlFiles.reason(e), e);
        }
    }
}
