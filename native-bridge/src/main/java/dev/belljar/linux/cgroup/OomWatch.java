package dev.belljar.linux.cgroup;

import dev.belljar.linux.libc.NativeException;
import dev.belljar.linux.libc.Syscalls;

import java.nio.file.Path;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Notices an OOM kill in a sandbox the moment the kernel reports it, instead of at the next poll:
 * on cgroup v2 an inotify watch on {@code memory.events}, on v1 an eventfd registered through
 * {@code cgroup.event_control} for {@code memory.oom_control}. A daemon thread waits on the
 * descriptor and, when it fires, reads the kill count and passes a new one on. Closing wakes the
 * thread at once through a second eventfd: a sandbox's teardown never waits on a poll timeout.
 */
public final class OomWatch implements AutoCloseable {
    /**
     * v1 signals the OOM before the kill is counted: after an event without a new count, the count
     * is read again this many times, this far apart.
     */
    private static final int RECHECKS = 20;
    private static final int RECHECK_MILLIS = 50;

    private final int fd;
    private final int wakeFd;
    private final int[] extraFds;
    private final Thread thread;
    private volatile boolean closed;

    private OomWatch(String name, int fd, int[] extraFds, LongSupplier oomKills, LongConsumer onKill) {
        this.fd = fd;
        this.extraFds = extraFds;
        try {
            this.wakeFd = Syscalls.eventFd();
        } catch (NativeException e) {
            Syscalls.close(fd);
            for (int extra : extraFds) {
                Syscalls.close(extra);
            }
            throw e;
        }
        thread = new Thread(() -> {
            long seen = oomKills.getAsLong();
            int rechecks = 0;
            while (!closed) {
                try {
                    boolean fired = Syscalls.awaitReadable(fd, wakeFd, rechecks > 0 ? RECHECK_MILLIS : -1);
                    if (fired || rechecks > 0) {
                        long kills = oomKills.getAsLong();
                        if (kills > seen) {
                            seen = kills;
                            rechecks = 0;
                            onKill.accept(kills);
                        } else {
                            rechecks = fired ? RECHECKS : rechecks - 1;
                        }
                    }
                } catch (NativeException | CgroupException e) {
                    return; // the cgroup is being removed: nothing more to notice
                }
            }
        }, "belljar-oom-watch-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** v2: watches {@code memory.events} for modifications. */
    static OomWatch onMemoryEvents(String name, String memoryEvents, LongSupplier oomKills, LongConsumer onKill) {
        return new OomWatch(name, Syscalls.watchModifications(memoryEvents), new int[0], oomKills, onKill);
    }

    /** v1: an eventfd the kernel signals on OOM, registered as "EVENTFD OOM_CONTROL_FD" in cgroup.event_control. */
    static OomWatch onOomControl(String name, String oomControl, String eventControl, ControlFiles files,
                                 LongSupplier oomKills, LongConsumer onKill) {
        int eventFd = Syscalls.eventFd();
        int controlFd;
        try {
            controlFd = Syscalls.openReadOnly(oomControl);
        } catch (NativeException e) {
            Syscalls.close(eventFd);
            throw e;
        }
        try {
            files.write(Path.of(eventControl), eventFd + " " + controlFd);
        } catch (CgroupException e) {
            Syscalls.close(eventFd);
            Syscalls.close(controlFd);
            throw e;
        }
        return new OomWatch(name, eventFd, new int[] {controlFd}, oomKills, onKill);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Syscalls.signal(wakeFd);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Syscalls.close(fd);
        Syscalls.close(wakeFd);
        for (int extra : extraFds) {
            Syscalls.close(extra);
        }
    }
}
