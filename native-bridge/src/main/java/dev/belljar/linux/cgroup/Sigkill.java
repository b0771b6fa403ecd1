package dev.belljar.linux.cgroup;

import java.util.Collection;

/** Sends SIGKILL to the processes of a sandbox, by PID. */
final class Sigkill {

    private Sigkill() {
    }

    /**
     * {@code destroyForcibly} is SIGKILL for any process, not only children, and needs no JNA. The
     * JVM itself is skipped: it must never be in a sandbox, and the wait that follows names it.
     */
    static void all(Collection<Long> pids) {
        long self = ProcessHandle.current().pid();
        pids.stream()
                .filter(pid -> pid != self)
                .forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
}
