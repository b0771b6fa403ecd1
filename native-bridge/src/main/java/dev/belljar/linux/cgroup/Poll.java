package dev.belljar.linux.cgroup;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for a cgroup state the kernel reaches asynchronously (frozen, empty, removable). cgroupfs
 * offers inotify on some files only, and these waits are short: polling is enough.
 */
final class Poll {

    /**
     * The first pause is short, as most of these states arrive within a millisecond or a few (a
     * killed child JVM takes a few to go); later ones grow by half up to the longest, so that a
     * state is seen soon after it arrives and a slow one costs few reads.
     */
    private static final long FIRST_PAUSE_MICROS = 500;
    private static final long LONGEST_PAUSE_MICROS = 10_000;

    private final long deadline;
    private long nextPauseMicros = FIRST_PAUSE_MICROS;

    private Poll(Duration timeout) {
        deadline = System.nanoTime() + timeout.toNanos();
    }

    /** True when {@code condition} held before {@code timeout} passed. */
    static boolean until(BooleanSupplier condition, Duration timeout) {
        Poll poll = new Poll(timeout);
        while (!condition.getAsBoolean()) {
            if (!poll.pauseWithin()) {
                return false;
            }
        }
        return true;
    }

    /** Starts a wait of {@code timeout} whose caller checks its state itself between {@link #pauseWithin} calls. */
    static Poll within(Duration timeout) {
        return new Poll(timeout);
    }

    /** Pauses before the next check; false once the timeout has passed, without a pause. */
    boolean pauseWithin() {
        if (System.nanoTime() - deadline > 0) {
            return false;
        }
        try {
            Thread.sleep(nextPauseMicros / 1000, (int) (nextPauseMicros % 1000) * 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CgroupException("interrupted while waiting for a cgroup", e);
        }
        nextPauseMicros = Math.min(nextPauseMicros * 3 / 2, LONGEST_PAUSE_MICROS);
        return true;
    }
}
