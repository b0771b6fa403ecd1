package dev.belljar.internal.child;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The test's JVM threw an {@link OutOfMemoryError} inside the sandbox: one of the JVM's own limits
 * (heap, direct buffers, metaspace) or a thread the kernel refused, distinct from a kernel OOM kill.
 * Thrown in the child in place of the error (which JUnit would treat as fatal), with the error as
 * its cause and its {@link OutOfMemoryKind kind}; the parent words it with the sandbox's limits and
 * accounting ({@link #inSandbox}) before the test fails with it.
 */
public final class JvmOutOfMemoryError extends AssertionError {
    private static final long serialVersionUID = 2L;

    private final OutOfMemoryKind kind;
    private final long maxHeapBytes;
    private final long maxDirectMemoryBytes;

    /** In the child, in place of {@code error}. */
    public JvmOutOfMemoryError(OutOfMemoryError error) {
        this(OutOfMemoryKind.of(error.getMessage()), error, Runtime.getRuntime().maxMemory(), maxDirectMemory());
    }

    private JvmOutOfMemoryError(OutOfMemoryKind kind, OutOfMemoryError error, long maxHeapBytes, long maxDirectMemoryBytes) {
        this(kind.headline(error), kind, error, maxHeapBytes, maxDirectMemoryBytes);
    }

    private JvmOutOfMemoryError(String message, OutOfMemoryKind kind, Throwable error, long maxHeapBytes,
                                long maxDirectMemoryBytes) {
        super(message, error);
        this.kind = kind;
        this.maxHeapBytes = maxHeapBytes;
        this.maxDirectMemoryBytes = maxDirectMemoryBytes;
    }

    /**
     * In the parent: the same failure (cause, stack), its message worded with the sandbox's limits
     * and accounting.
     *
     * @param memoryLimitBytes the sandbox's memory limit, empty when none was declared
     * @param pidsLimit        the sandbox's pids limit, empty when none was declared
     * @param pidsPeak         the most processes and threads the sandbox had, empty where the kernel keeps no peak
     */
    public JvmOutOfMemoryError inSandbox(OptionalLong memoryLimitBytes, OptionalInt pidsLimit, OptionalLong pidsPeak) {
        OutOfMemoryKind.Facts facts = new OutOfMemoryKind.Facts(maxHeapBytes, maxDirectMemoryBytes, memoryLimitBytes,
                pidsLimit, pidsPeak);
        JvmOutOfMemoryError worded = new JvmOutOfMemoryError(kind.describe(getCause(), facts), kind, getCause(),
                maxHeapBytes, maxDirectMemoryBytes);
        worded.setStackTrace(getStackTrace());
        for (Throwable suppressed : getSuppressed()) {
            worded.addSuppressed(suppressed);
        }
        return worded;
    }

    /**
     * The JVM's cap on direct buffers: {@code -XX:MaxDirectMemorySize} where set, else the maximum
     * heap (what the JDK takes when the flag is 0, its default).
     */
    private static long maxDirectMemory() {
        long heap = Runtime.getRuntime().maxMemory();
        try {
            long set = Long.parseLong(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("MaxDirectMemorySize").getValue());
            return set > 0 ? set : heap;
        } catch (RuntimeException | LinkageError e) {
            return heap;
        }
    }
}
