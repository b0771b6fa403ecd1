package dev.belljar.internal.child;

import dev.belljar.internal.child.OutOfMemoryKind.Facts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Each kind of {@link OutOfMemoryError} told apart by the JVM's message, and worded with the sandbox's numbers. */
class OutOfMemoryKindTest {
    private static final long MIB = 1L << 20;
    /** A child of {@code memory = "64M"}: what its JVM reported as its maximum heap (and direct-memory cap). */
    private static final long MAX_HEAP = 32_440_320;

    private static Facts facts(OptionalLong memoryLimit, OptionalInt pidsLimit, OptionalLong pidsPeak) {
        return new Facts(MAX_HEAP, MAX_HEAP, memoryLimit, pidsLimit, pidsPeak);
    }

    private static Facts withMemoryLimit() {
        return facts(OptionalLong.of(64 * MIB), OptionalInt.empty(), OptionalLong.of(20));
    }

    private static String describe(String jvmMessage, Facts facts) {
        OutOfMemoryError error = new OutOfMemoryError(jvmMessage);
        return OutOfMemoryKind.of(jvmMessage).describe(error, facts);
    }

    @ParameterizedTest(name = "{1}: {0}")
    @CsvSource(delimiter = '|', textBlock = """
            Java heap space                                                                                     | JAVA_HEAP
            Java heap space: failed reallocation of scalar replaced objects                                     | JAVA_HEAP
            Java heap space: failed retryable allocation                                                        | JAVA_HEAP
            Cannot reserve 1048576 bytes of direct buffer memory (allocated: 31457280, limit: 32440320)         | DIRECT_BUFFER_MEMORY
            Direct buffer memory                                                                                | DIRECT_BUFFER_MEMORY
            Metaspace                                                                                           | METASPACE
            Compressed class space                                                                              | METASPACE
            unable to create native thread: possibly out of memory or process/resource limits reached           | NATIVE_THREAD
            unable to create new native thread                                                                  | NATIVE_THREAD
            GC overhead limit exceeded                                                                          | GC_OVERHEAD
            Requested array size exceeds VM limit                                                               | OTHER
            Map failed                                                                                          | OTHER
            """)
    void theJvmsMessageNamesTheKind(String message, OutOfMemoryKind kind) {
        assertThat(OutOfMemoryKind.of(message)).isEqualTo(kind);
    }

    @Test
    void anErrorWithoutAMessageIsOfNoKnownKind() {
        assertThat(OutOfMemoryKind.of(null)).isEqualTo(OutOfMemoryKind.OTHER);
    }

    @Test
    void javaHeapSaysHowLargeTheHeapIsAndHowToGetMore() {
        assertThat(describe("Java heap space", withMemoryLimit())).isEqualTo(
                "the test ran out of Java heap inside the sandbox (java.lang.OutOfMemoryError: Java heap space):"
                        + " the child's maximum heap is 30.9 MiB, 50% of the sandbox's memory limit of 64 MiB."
                        + " This is the JVM's own limit, not a kernel OOM kill: declare a larger memory"
                        + " (memory = \"128M\" gives a heap of about 64 MiB), or keep less on the heap");
    }

    @Test
    void javaHeapWithoutAMemoryLimitIsTheJvmsDefault() {
        assertThat(describe("Java heap space", facts(OptionalLong.empty(), OptionalInt.empty(), OptionalLong.empty())))
                .isEqualTo("the test ran out of Java heap inside the sandbox (java.lang.OutOfMemoryError: Java heap space):"
                        + " the child's maximum heap is 30.9 MiB, the JVM's default for this host (the sandbox declares"
                        + " no memory limit, and the test JVM's -Xmx is not passed on). This is the JVM's own limit, not"
                        + " a kernel OOM kill: declare a memory limit (the heap is 50% of it), or keep less on the heap");
    }

    @Test
    void directBufferMemoryIsCappedAtTheHeapUnlessSetOtherwise() {
        String jvm = "Cannot reserve 1048576 bytes of direct buffer memory (allocated: 31457280, limit: 32440320)";
        assertThat(describe(jvm, withMemoryLimit())).isEqualTo(
                "the test ran out of direct buffer memory inside the sandbox (java.lang.OutOfMemoryError: " + jvm + "):"
                        + " direct buffers (ByteBuffer.allocateDirect) may take 30.9 MiB in all: the JVM caps them at"
                        + " its maximum heap unless -XX:MaxDirectMemorySize sets the cap, and the heap is 50% of the"
                        + " sandbox's memory limit of 64 MiB. This is the JVM's own limit, not a kernel OOM kill: release direct buffers"
                        + " no longer used (or reuse them), or declare a larger memory (memory = \"128M\" raises the cap"
                        + " to about 64 MiB)");
    }

    @Test
    void directBufferMemoryCappedByTheFlagNamesTheFlag() {
        Facts facts = new Facts(MAX_HEAP, 16 * MIB, OptionalLong.of(64 * MIB), OptionalInt.empty(), OptionalLong.empty());
        assertThat(describe("Cannot reserve 1048576 bytes of direct buffer memory (allocated: 16777216, limit: 16777216)", facts))
                .endsWith(": direct buffers (ByteBuffer.allocateDirect) may take 16 MiB in all, as"
                        + " -XX:MaxDirectMemorySize sets. This is the JVM's own limit, not a kernel OOM kill: release"
                        + " direct buffers no longer used (or reuse them), or raise -XX:MaxDirectMemorySize");
    }

    @Test
    void metaspaceNamesItsCapAndTheUsualCause() {
        assertThat(describe("Metaspace", withMemoryLimit())).isEqualTo(
                "the test ran out of metaspace inside the sandbox (java.lang.OutOfMemoryError: Metaspace): class"
                        + " metadata reached the JVM's cap (-XX:MaxMetaspaceSize; for the compressed class space,"
                        + " -XX:CompressedClassSpaceSize). This is the JVM's own limit, not a kernel OOM kill: look for"
                        + " classes loaded without end (class loaders kept alive, proxies or classes generated per call)");
    }

    @Test
    void nativeThreadAtThePidsLimitSaysThePidsLimitWasHit() {
        String jvm = "unable to create native thread: possibly out of memory or process/resource limits reached";
        assertThat(describe(jvm, facts(OptionalLong.empty(), OptionalInt.of(48), OptionalLong.of(48)))).isEqualTo(
                "the test could not create a native thread inside the sandbox (java.lang.OutOfMemoryError: " + jvm + "):"
                        + " the sandbox hit its pids limit of 48 processes and threads (peak 48). This is the kernel's"
                        + " pids limit, not the Java heap: declare a larger pids (the JVM and JUnit need a dozen or more"
                        + " threads of their own), or start fewer threads (a bounded pool)");
    }

    @Test
    void nativeThreadBelowThePidsLimitIsAnotherLimit() {
        String jvm = "unable to create native thread: possibly out of memory or process/resource limits reached";
        assertThat(describe(jvm, facts(OptionalLong.of(64 * MIB), OptionalInt.of(48), OptionalLong.of(30))))
                .endsWith("): the process could not create a thread although the sandbox stayed below its pids limit"
                        + " (peak 30 of 48): memory for the thread's stack or another limit (ulimit -u,"
                        + " kernel.threads-max) refused it. This is not the Java heap: start fewer threads (a bounded"
                        + " pool), or declare a larger memory");
    }

    @Test
    void nativeThreadWithAPidsLimitButNoPeakSaysWhatIsUnknown() {
        String jvm = "unable to create native thread: possibly out of memory or process/resource limits reached";
        assertThat(describe(jvm, facts(OptionalLong.empty(), OptionalInt.of(48), OptionalLong.empty())))
                .endsWith("): the sandbox has a pids limit of 48 processes and threads, and this kernel keeps no pids"
                        + " peak to tell whether the sandbox reached it; if it did not, memory for the thread's stack or"
                        + " another limit (ulimit -u, kernel.threads-max) refused the thread. This is not the Java heap:"
                        + " declare a larger pids (the JVM and JUnit need a dozen or more threads of their own), or start"
                        + " fewer threads (a bounded pool)");
    }

    @Test
    void nativeThreadWithoutAPidsLimitIsMemoryOrAnotherLimit() {
        assertThat(describe("unable to create new native thread", facts(OptionalLong.empty(), OptionalInt.empty(),
                OptionalLong.of(2345)))).isEqualTo(
                "the test could not create a native thread inside the sandbox (java.lang.OutOfMemoryError: unable to"
                        + " create new native thread): the process could not create a thread: memory for the thread's"
                        + " stack or another limit (ulimit -u, kernel.threads-max) refused it; the sandbox declares no"
                        + " pids limit (peak 2345 processes and threads). This is not the Java heap: start fewer threads"
                        + " (a bounded pool), or declare a larger memory");
    }

    @Test
    void gcOverheadSaysTheHeapIsFullOfLiveObjects() {
        assertThat(describe("GC overhead limit exceeded", withMemoryLimit())).isEqualTo(
                "the test's JVM exceeded its GC overhead limit inside the sandbox (java.lang.OutOfMemoryError: GC"
                        + " overhead limit exceeded): it spent almost all its time collecting garbage and freed almost"
                        + " nothing: the heap is nearly full of live objects, and the child's maximum heap is 30.9 MiB,"
                        + " 50% of the sandbox's memory limit of 64 MiB. This is the JVM's own limit, not a kernel OOM kill: declare a"
                        + " larger memory (memory = \"128M\" gives a heap of about 64 MiB), or keep less on the heap");
    }

    @Test
    void anyOtherKindIsNamedAsTheJvmNamedIt() {
        assertThat(describe("Requested array size exceeds VM limit", withMemoryLimit())).isEqualTo(
                "the test's JVM threw an OutOfMemoryError inside the sandbox (java.lang.OutOfMemoryError: Requested"
                        + " array size exceeds VM limit): the JVM's own error, not a kernel OOM kill (the child's"
                        + " maximum heap is 30.9 MiB)");
    }
}
