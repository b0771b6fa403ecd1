package dev.belljar;

/** How an isolated test ended, as the parent JVM saw it. */
public enum Outcome {
    /** The test ran to completion and passed. */
    PASSED,
    /** The test failed: an assertion or an exception, including a heap {@link OutOfMemoryError} inside the JVM. */
    FAILED,
    /** An assumption did not hold, the test was aborted. */
    ABORTED,
    /** The kernel's OOM killer killed a process of the sandbox: the memory limit was hit. */
    OOM_KILLED,
    /** The test ran longer than its timeout; the whole sandbox was killed. */
    TIMED_OUT,
    /** The child JVM ended without a result: {@code System.exit}, a JVM crash or a signal. */
    CRASHED
}
