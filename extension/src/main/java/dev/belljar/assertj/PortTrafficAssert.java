package dev.belljar.assertj;

import dev.belljar.SandboxResult;
import dev.belljar.spec.Comparison;
import dev.belljar.spec.Sizes;

/**
 * Assertions on what the relay of one forwarded host port carried: how many connections the code
 * under test opened (a pool's size, a retry) and how many bytes went each way.
 */
public final class PortTrafficAssert extends AbstractGroupAssert<PortTrafficAssert, SandboxResult.PortTraffic> {

    PortTrafficAssert(SandboxResultAssert result, SandboxResult.PortTraffic traffic) {
        super(result, traffic, PortTrafficAssert.class);
    }

    /** Verifies that the test opened at most {@code max} connections to the port (a pool that stays small). */
    public PortTrafficAssert connectionsAtMost(long max) {
        isNotNull();
        return assertValue(subject("connections"), actual.connections(), Comparison.AT_MOST, max, Long::toString, context());
    }

    /** Verifies that the test opened at least {@code min} connections to the port (it retried, reconnected). */
    public PortTrafficAssert connectionsAtLeast(long min) {
        isNotNull();
        return assertValue(subject("connections"), actual.connections(), Comparison.AT_LEAST, min, Long::toString, context());
    }

    /** Verifies that the relay reset at least {@code min} connections (a {@code resetAfter} fault struck). */
    public PortTrafficAssert resetsAtLeast(long min) {
        isNotNull();
        return assertValue(subject("connections reset by the relay"), actual.resets(), Comparison.AT_LEAST, min,
                Long::toString, context());
    }

    /** Verifies that the sandbox sent the host service at least {@code size}, e.g. {@code "1M"}. */
    public PortTrafficAssert sentAtLeast(String size) {
        isNotNull();
        return assertValue(subject("bytes sent to the host service"), actual.bytesUpstream(), Comparison.AT_LEAST,
                Sizes.parse(size, "sentAtLeast"), Sizes::describe, context());
    }

    /** Verifies that the sandbox received at least {@code size} from the host service, e.g. {@code "1M"}. */
    public PortTrafficAssert receivedAtLeast(String size) {
        isNotNull();
        return assertValue(subject("bytes received from the host service"), actual.bytesDownstream(), Comparison.AT_LEAST,
                Sizes.parse(size, "receivedAtLeast"), Sizes::describe, context());
    }

    private String subject(String what) {
        return what + " of port " + actual.sandboxPort();
    }

    private String context() {
        return " (host port " + actual.hostPort() + ": " + actual.connections() + " connections, " + actual.refused()
                + " refused, " + actual.resets() + " reset, " + Sizes.describe(actual.bytesUpstream()) + " up, "
                + Sizes.describe(actual.bytesDownstream()) + " down)";
    }
}
