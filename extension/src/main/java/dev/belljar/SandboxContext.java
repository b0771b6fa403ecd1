package dev.belljar;

import dev.belljar.internal.child.ChildMain;
import dev.belljar.spec.SandboxSpec;

import java.util.OptionalLong;

/**
 * {@code SandboxContext} is used inside an {@link Isolated} test (it runs in the child JVM) to
 * read the sandbox's limits and its live usage, as the kernel accounts it, e.g. with Awaitility:
 *
 * <pre>{@code
 * @Test
 * @Isolated(memory = "256M")
 * void cacheShrinks(SandboxContext sandbox) {
 *     cache.clear();
 *     await().until(() -> sandbox.memoryCurrentBytes() < 64 << 20);
 * }
 * }</pre>
 *
 * Inject it as a test, lifecycle method or constructor parameter.
 */
public interface SandboxContext {

    /**
     * Whether this code runs in a sandbox's child JVM. An isolated test's class is set up again in
     * its child ({@code @BeforeAll}, static fields): what belongs to the host alone, such as a
     * service that {@link Isolated#hostPorts()} forwards, starts only where this is false.
     *
     * <pre>{@code
     * @BeforeAll
     * static void startService() throws IOException {
     *     if (!SandboxContext.insideSandbox()) {
     *         service = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080), 50);
     *         service.start();
     *     }
     * }
     * }</pre>
     */
    static boolean insideSandbox() {
        return Boolean.getBoolean(ChildMain.INSIDE_PROPERTY);
    }

    /** The sandbox's spec: its limits and namespaces, as declared and merged. */
    SandboxSpec spec();

    /** Memory the sandbox uses now (the JVM, the test, any processes it started). */
    long memoryCurrentBytes();

    /** The sandbox's peak memory so far; empty where the kernel keeps none. */
    OptionalLong memoryPeakBytes();

    /** CPU time (user + system) of the sandbox so far. */
    long cpuTimeNanos();

    /** CFS periods in which the sandbox was throttled so far. */
    long throttledPeriods();

    /** Time the sandbox spent throttled so far. */
    long throttledTimeNanos();

    /** Processes and threads in the sandbox now. */
    long pidsCurrent();

    /**
     * The forwarded host ports ({@link Isolated#hostPorts()}), whose faults the test may change
     * while it runs: cut them, restore them, add latency.
     *
     * @throws IllegalStateException where the test forwards no host port
     */
    SandboxNetwork network();
}
