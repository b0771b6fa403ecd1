package dev.belljar.internal.child;

import dev.belljar.spec.Sizes;

/**
 * The test ran out of Java heap inside the sandbox: the JVM's own limit, distinct from a kernel
 * OOM kill. Thrown in the child in place of the {@link OutOfMemoryError} (which JUnit would treat
 * as fatal) and replayed in the parent as the test's failure; the original is the cause.
 */
public final class JavaHeapExhaustedError extends AssertionError {
    private static final long serialVersionUID = 1L;

    public JavaHeapExhaustedError(OutOfMemoryError error) {
        super("the test ran out of Java heap inside the sandbox (" + error
                + "); the child's max heap is " + Sizes.describe(Runtime.getRuntime().maxMemory())
                + ". This is the JVM's own limit, not a kernel OOM kill: declare more memory, or use less heap", error);
    }
}
