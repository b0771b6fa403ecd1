package dev.belljar.internal.child;

import dev.belljar.internal.parent.ChildJvm;
import dev.belljar.spec.Sizes;

import java.util.Locale;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What an {@link OutOfMemoryError} in the child ran out of, and what to do about it: the one place
 * that tells the kinds apart and words each. The JVM's message is the signal: HotSpot's and the
 * JDK's wording is the same from JDK 17 to 25, and older wordings are recognised where they
 * differ. The child classifies ({@link #of}), as it holds the error; the parent, which has the
 * sandbox's limits and accounting, words the failure ({@link #describe}).
 */
enum OutOfMemoryKind {
    /** {@code Java heap space}, also with a detail after it ({@code : failed reallocation of scalar replaced objects}). */
    JAVA_HEAP("the test ran out of Java heap inside the sandbox") {
        @Override
        String explain(Facts facts) {
            return maxHeap(facts) + ". " + JVM_LIMIT + ": " + moreHeap(facts, "gives a heap of about") + ", or keep less on the heap";
        }
    },
    /**
     * {@code Cannot reserve N bytes of direct buffer memory (allocated: A, limit: L)} (JDK 16 on),
     * {@code Direct buffer memory} before.
     */
    DIRECT_BUFFER_MEMORY("the test ran out of direct buffer memory inside the sandbox") {
        @Override
        String explain(Facts facts) {
            String cap = "direct buffers (ByteBuffer.allocateDirect) may take " + Sizes.describe(facts.maxDirectMemoryBytes())
                    + " in all";
            if (facts.maxDirectMemoryBytes() != facts.maxHeapBytes()) {
                return cap + ", as -XX:MaxDirectMemorySize sets. " + JVM_LIMIT
                        + ": release direct buffers no longer used (or reuse them), or raise -XX:MaxDirectMemorySize";
            }
            return cap + ": the JVM caps them at its maximum heap unless -XX:MaxDirectMemorySize sets the cap, and"
                    + " the heap is " + heapShare(facts) + ". " + JVM_LIMIT + ": release direct buffers no longer used (or reuse them), or "
                    + moreHeap(facts, "raises the cap to about");
        }
    },
    /** {@code Metaspace}, or {@code Compressed class space} (the part of it that holds class pointers). */
    METASPACE("the test ran out of metaspace inside the sandbox") {
        @Override
        String explain(Facts facts) {
            return "class metadata reached the JVM's cap (-XX:MaxMetaspaceSize; for the compressed class space,"
                    + " -XX:CompressedClassSpaceSize). " + JVM_LIMIT + ": look for classes loaded without end (class"
                    + " loaders kept alive, proxies or classes generated per call)";
        }
    },
    /**
     * {@code unable to create native thread: possibly out of memory or process/resource limits reached}
     * (JDK 11 on), {@code unable to create new native thread} before. HotSpot says the same for every
     * reason the kernel refused the thread: only the sandbox's pids accounting tells them apart.
     */
    NATIVE_THREAD("the test could not create a native thread inside the sandbox") {
        @Override
        String explain(Facts facts) {
            String otherLimits = "memory for the thread's stack or another limit (ulimit -u, kernel.threads-max)";
            if (facts.pidsLimit().isEmpty()) {
                return "the process could not create a thread: " + otherLimits + " refused it; the sandbox declares no"
                        + " pids limit (" + facts.pidsPeak().stream().mapToObj(peak -> "peak " + peak + " processes and threads")
                        .findFirst().orElse("its peak is unknown") + "). This is not the Java heap: start fewer threads"
                        + " (a bounded pool), or declare a larger memory";
            }
            int limit = facts.pidsLimit().getAsInt();
            String fewer = "declare a larger pids (the JVM and JUnit need a dozen or more threads of their own),"
                    + " or start fewer threads (a bounded pool)";
            if (facts.pidsPeak().isEmpty()) {
                return "the sandbox has a pids limit of " + limit + " processes and threads, and this kernel keeps no pids"
                        + " peak to tell whether the sandbox reached it; if it did not, " + otherLimits + " refused the"
                        + " thread. This is not the Java heap: " + fewer;
            }
            long peak = facts.pidsPeak().getAsLong();
            if (peak >= limit) {
                return "the sandbox hit its pids limit of " + limit + " processes and threads (peak " + peak + ")."
                        + " This is the kernel's pids limit, not the Java heap: " + fewer;
            }
            return "the process could not create a thread although the sandbox stayed below its pids limit (peak "
                    + peak + " of " + limit + "): " + otherLimits + " refused it. This is not the Java heap: start fewer"
                    + " threads (a bounded pool), or declare a larger memory";
        }
    },
    /** {@code GC overhead limit exceeded} (the Parallel collector's; the child's Serial collector does not check it). */
    GC_OVERHEAD("the test's JVM exceeded its GC overhead limit inside the sandbox") {
        @Override
        String explain(Facts facts) {
            return "it spent almost all its time collecting garbage and freed almost nothing: the heap is nearly full"
                    + " of live objects, and " + maxHeap(facts) + ". " + JVM_LIMIT + ": " + moreHeap(facts, "gives a heap of about") + ", or keep less on the heap";
        }
    },
    /** Any other message, {@code Requested array size exceeds VM limit} for one: named as the JVM named it. */
    OTHER("the test's JVM threw an OutOfMemoryError inside the sandbox") {
        @Override
        String explain(Facts facts) {
            return "the JVM's own error, not a kernel OOM kill (the child's maximum heap is "
                    + Sizes.describe(facts.maxHeapBytes()) + ")";
        }
    };

    private static final String JVM_LIMIT = "This is the JVM's own limit, not a kernel OOM kill";

    private final String headline;

    OutOfMemoryKind(String headline) {
        this.headline = headline;
    }

    /** The kind the JVM's message names; {@link #OTHER} for any message this does not know, or none. */
    static OutOfMemoryKind of(String message) {
        if (message == null) {
            return OTHER;
        }
        if (message.startsWith("Java heap space")) {
            return JAVA_HEAP;
        }
        if (message.toLowerCase(Locale.ROOT).contains("direct buffer memory")) {
            return DIRECT_BUFFER_MEMORY;
        }
        if (message.startsWith("Metaspace") || message.startsWith("Compressed class space")) {
            return METASPACE;
        }
        if (message.startsWith("unable to create") && message.contains("native thread")) {
            return NATIVE_THREAD;
        }
        if (message.startsWith("GC overhead limit exceeded")) {
            return GC_OVERHEAD;
        }
        return OTHER;
    }

    /** What the child says before the parent adds the sandbox's limits: the kind and the JVM's error. */
    String headline(Throwable error) {
        return headline + " (" + error + ")";
    }

    /** The failure as the user reads it: the kind, the JVM's error, the limit it hit and what to do. */
    String describe(Throwable error, Facts facts) {
        return headline(error) + ": " + explain(facts);
    }

    abstract String explain(Facts facts);

    /** The child's maximum heap and how it was sized. */
    private static String maxHeap(Facts facts) {
        return "the child's maximum heap is " + Sizes.describe(facts.maxHeapBytes()) + ", " + heapShare(facts);
    }

    /** How the heap was sized: a share of the memory limit, or the JVM's default. */
    private static String heapShare(Facts facts) {
        return facts.memoryLimitBytes().stream()
                .mapToObj(limit -> ChildJvm.HEAP_PERCENT_OF_LIMIT + "% of the sandbox's memory limit of "
                        + Sizes.describe(limit))
                .findFirst().orElse("the JVM's default for this host (the sandbox declares no memory limit,"
                        + " and the test JVM's -Xmx is not passed on)");
    }

    /** How to get a larger heap: twice the memory limit, for one. */
    private static String moreHeap(Facts facts, String gives) {
        return facts.memoryLimitBytes().stream()
                .mapToObj(limit -> "declare a larger memory (memory = \"" + Sizes.format(2 * limit) + "\" " + gives
                        + " " + Sizes.describe(2 * limit * ChildJvm.HEAP_PERCENT_OF_LIMIT / 100) + ")")
                .findFirst().orElse("declare a memory limit (the heap is " + ChildJvm.HEAP_PERCENT_OF_LIMIT + "% of it)");
    }

    /**
     * What explains an {@link OutOfMemoryError} in the child.
     *
     * @param maxHeapBytes         the child's maximum heap, as its JVM reported it
     * @param maxDirectMemoryBytes the child's cap on direct buffers
     * @param memoryLimitBytes     the sandbox's memory limit, empty when none was declared
     * @param pidsLimit            the sandbox's pids limit, empty when none was declared
     * @param pidsPeak             the most processes and threads the sandbox had, empty where the kernel keeps no peak
     */
    record Facts(long maxHeapBytes, long maxDirectMemoryBytes, OptionalLong memoryLimitBytes,
                        OptionalInt pidsLimit, OptionalLong pidsPeak) {
    }
}
