package dev.belljar.linux.cgroup;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for a cgroup state the kernel reaches asynchronously (frozen, empty, removable). cgroupfs
 * offers inotify on some files only, and these waits are short: polling is enough.
 */
final class Poll {

    private static final long INTERVAL_MILLIS = 10;

    private Poll() {
    }

    /** True when {@code condition} held before {@code timeout} passed. */
    static boolean until(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            pause();
        }
        return true;
    }

    static void pause() {
        try {
            Thread.sleep(INTERVAL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CgroupException("interrupted while waiting for a cgroup", e);
        }
    }
}
