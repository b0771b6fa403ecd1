package dev.belljar;

/** Whether isolated tests share a child JVM. */
public enum Reuse {
    /** Each test gets a fresh child JVM in a fresh sandbox (default): nothing of one test reaches another. */
    NONE,
    /**
     * The tests of one class that declare the same sandbox run one after another in one child JVM,
     * in one sandbox, as Surefire's {@code reuseForks} does: much faster, but they share the JVM's
     * state (static fields, caches, threads left running) and the sandbox's limits, which apply to
     * all of them together. Each test's CPU time, I/O and OOM kills are its own; its peak memory is
     * its own where the kernel can restart the peak (cgroup v1), else the child's so far. A test that
     * ends its child (an OOM kill, {@code System.exit}, a crash, a timeout) fails alone, and the next
     * test gets a fresh child.
     */
    CLASS
}
