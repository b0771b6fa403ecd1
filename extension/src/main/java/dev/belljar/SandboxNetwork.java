package dev.belljar;

/**
 * The forwarded host ports of an isolated test ({@link Isolated#hostPorts()}), as the test changes
 * their faults while it runs, from {@link SandboxContext#network()}: every forwarded port at once,
 * or one through {@link #port(int)}. A change is in force when the method returns, for data that
 * arrives from then on and for data still on its way where it can be.
 *
 * <pre>{@code
 * @Test
 * @Isolated(net = PRIVATE, hostPorts = "5432")
 * void retriesAfterTheDatabaseWentAway(SandboxContext sandbox) {
 *     sandbox.network().cut();          // data stops, connections stay open
 *     assertThatThrownBy(repository::load).isInstanceOf(SocketTimeoutException.class);
 *     sandbox.network().restore();      // back to what hostPorts declared
 *     assertThat(repository.load()).isNotEmpty();
 * }
 * }</pre>
 *
 * @throws IllegalArgumentException from each method where a fault is written wrong or the port is
 *                                  not forwarded, naming it and what is allowed
 */
public interface SandboxNetwork {

    /** The forwarded port {@code sandboxPort} (the port inside) alone. */
    SandboxNetwork port(int sandboxPort);

    /**
     * Data stops both ways: connections stay open and new ones are accepted, but nothing passes,
     * as with a pulled cable, so that a client's read timeout fires.
     */
    void cut();

    /** Back to the faults {@code hostPorts} declared: a cut ends, changed faults go. */
    void restore();

    /**
     * Applies faults written as {@code hostPorts} writes them over those in force, e.g.
     * {@code "latency=300ms, jitter=50ms"} or {@code "resetAfter=0"}.
     */
    void faults(String faults);

    /** Data from the host service reaches the sandbox this much later, e.g. {@code "300ms"}. */
    default void latency(String latency) {
        faults("latency=" + latency);
    }

    /** Each way carries at most this many bytes per second, e.g. {@code "64K"}. */
    default void bandwidth(String bytesPerSecond) {
        faults("bandwidth=" + bytesPerSecond);
    }
}
