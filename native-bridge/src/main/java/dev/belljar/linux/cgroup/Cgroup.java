package dev.belljar.linux.cgroup;

import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * One sandbox cgroup: a single directory on cgroup v2, one directory per controller hierarchy on
 * cgroup v1. Implementations are chosen once by {@link CgroupManager}; callers never branch on the
 * version.
 *
 * <p>Every limit is written and read back; a value the kernel did not keep throws a
 * {@link CgroupException} naming the file, the value written and the value read.
 */
public interface Cgroup extends AutoCloseable {

    CgroupVersion version();

    /** The directory name shared by every hierarchy, e.g. {@code belljar-4711-3}. */
    String name();

    /**
     * The {@code cgroup.procs} files a process must write its PID into, before exec, to be inside
     * this cgroup on every hierarchy.
     */
    List<Path> procsFiles();

    /** Writes every limit that is set in {@code limits}, reading each one back. */
    void apply(CgroupLimits limits);

    /**
     * Starts the memory peak afresh from the current usage, for the next of several tests that share
     * the cgroup: cgroup v1 resets {@code memory.max_usage_in_bytes}; v2's {@code memory.peak} resets
     * only for the descriptor that wrote it, and {@link #stats()} reads it anew.
     *
     * @return whether {@link #stats()} now reports the peak since this call
     */
    boolean resetMemoryPeak();

    /** Version-neutral accounting as of now. */
    CgroupStats stats();

    /** Memory, CPU time and OOM kills as of now: what {@link #stats()} says of them, for a fraction of its reads. */
    CgroupUsage usage();

    /**
     * Calls {@code onKill} with the new OOM kill count each time the kernel reports a kill, from a
     * thread of its own, until the watch is closed.
     */
    OomWatch watchOomKills(LongConsumer onKill);

    /**
     * PIDs of all processes in the cgroup and in any cgroup a process made beneath it (every
     * hierarchy), empty when none is left.
     */
    List<Long> pids();

    /**
     * Stops every process of the cgroup (forks included) and returns once the kernel reports the
     * cgroup frozen: {@code cgroup.freeze} 1 until {@code cgroup.events} says {@code frozen 1} on v2,
     * {@code freezer.state} FROZEN until it reads FROZEN on v1.
     *
     * @throws CgroupException naming the file when the host has no freezer or the cgroup did not
     *         freeze within the kill timeout
     */
    void freeze();

    /** Lets the processes of a frozen cgroup run again and returns once the kernel reports it thawed. */
    void thaw();

    /**
     * Kills every process in the cgroup and waits until none is left: {@code cgroup.kill} on v2,
     * freeze + SIGKILL + thaw on v1.
     */
    void killAll();

    /** Removes the cgroup directories (after {@link #killAll()}); retries while the kernel is busy. */
    void destroy();

    /** {@link #killAll()} then {@link #destroy()}; never throws for a cgroup that is already gone. */
    @Override
    void close();
}
