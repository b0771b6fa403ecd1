package dev.belljar.linux.net;

import java.time.Duration;
import java.util.Objects;

/**
 * The faults a {@link Relay} applies to the traffic it carries, as Toxiproxy's toxics do. Each
 * value that means "no fault" is zero ({@link Duration#ZERO}, {@code false}) or the largest
 * number of its type, so that {@link #NONE} is an ordinary value and every check is a plain
 * comparison.
 *
 * @param upstreamLatency   how long after it arrives a chunk from the client is passed on
 * @param upstreamJitter    each upstream chunk's latency varies by up to this much either way
 * @param downstreamLatency as {@code upstreamLatency}, for the service's answers
 * @param downstreamJitter  as {@code upstreamJitter}, for the service's answers
 * @param bytesPerSecond    the most each direction of a connection carries per second
 * @param stalled           nothing flows while true; connections stay open and data waits
 * @param resetAfterBytes   a connection is reset (RST) once it has carried this many bytes to its
 *                          client; 0 resets every connection at once
 * @param sliceBytes        the largest segment written at a time
 * @param sliceDelay        the pause between the segments of one chunk
 * @param connectionLimit   the most connections open at once; more are reset as they come
 */
public record Faults(Duration upstreamLatency, Duration upstreamJitter, Duration downstreamLatency,
                     Duration downstreamJitter, long bytesPerSecond, boolean stalled, long resetAfterBytes,
                     int sliceBytes, Duration sliceDelay, int connectionLimit) {

    public static final Faults NONE = new Faults(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO,
            Long.MAX_VALUE, false, Long.MAX_VALUE, Integer.MAX_VALUE, Duration.ZERO, Integer.MAX_VALUE);

    public Faults {
        checkLatency("upstream", upstreamLatency, upstreamJitter);
        checkLatency("downstream", downstreamLatency, downstreamJitter);
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("Faults bytesPerSecond " + bytesPerSecond
                    + " is not allowed: the rate must be at least 1 byte per second (withoutBandwidthLimit() lifts it)");
        }
        if (resetAfterBytes < 0) {
            throw new IllegalArgumentException("Faults resetAfterBytes " + resetAfterBytes
                    + " is not allowed: it must be 0 (reset at once) or more bytes");
        }
        if (sliceBytes < 1) {
            throw new IllegalArgumentException("Faults sliceBytes " + sliceBytes
                    + " is not allowed: a segment must hold at least 1 byte (withoutSlicing() lifts it)");
        }
        checkNotNegative("sliceDelay", sliceDelay);
        if (connectionLimit < 0) {
            throw new IllegalArgumentException("Faults connectionLimit " + connectionLimit
                    + " is not allowed: it must be 0 (refuse every connection) or more");
        }
    }

    public Duration latency(Direction direction) {
        return direction == Direction.UPSTREAM ? upstreamLatency : downstreamLatency;
    }

    public Duration jitter(Direction direction) {
        return direction == Direction.UPSTREAM ? upstreamJitter : downstreamJitter;
    }

    /** Each chunk going {@code direction} waits {@code latency}, give or take up to {@code jitter}. */
    public Faults withLatency(Direction direction, Duration latency, Duration jitter) {
        return direction == Direction.UPSTREAM
                ? new Faults(latency, jitter, downstreamLatency, downstreamJitter, bytesPerSecond, stalled,
                        resetAfterBytes, sliceBytes, sliceDelay, connectionLimit)
                : new Faults(upstreamLatency, upstreamJitter, latency, jitter, bytesPerSecond, stalled,
                        resetAfterBytes, sliceBytes, sliceDelay, connectionLimit);
    }

    public Faults withBandwidth(long bytesPerSecond) {
        return new Faults(upstreamLatency, upstreamJitter, downstreamLatency, downstreamJitter, bytesPerSecond, stalled,
                resetAfterBytes, sliceBytes, sliceDelay, connectionLimit);
    }

    public Faults withoutBandwidthLimit() {
        return withBandwidth(Long.MAX_VALUE);
    }

    public Faults withStall(boolean stalled) {
        return new Faults(upstreamLatency, upstreamJitter, downstreamLatency, downstreamJitter, bytesPerSecond, stalled,
                resetAfterBytes, sliceBytes, sliceDelay, connectionLimit);
    }

    public Faults withResetAfter(long bytes) {
        return new Faults(upstreamLatency, upstreamJitter, downstreamLatency, downstreamJitter, bytesPerSecond, stalled,
                bytes, sliceBytes, sliceDelay, connectionLimit);
    }

    public Faults withoutReset() {
        return withResetAfter(Long.MAX_VALUE);
    }

    public Faults withSlicing(int maxBytes, Duration delay) {
        return new Faults(upstreamLatency, upstreamJitter, downstreamLatency, downstreamJitter, bytesPerSecond, stalled,
                resetAfterBytes, maxBytes, delay, connectionLimit);
    }

    public Faults withoutSlicing() {
        return withSlicing(Integer.MAX_VALUE, Duration.ZERO);
    }

    public Faults withConnectionLimit(int connections) {
        return new Faults(upstreamLatency, upstreamJitter, downstreamLatency, downstreamJitter, bytesPerSecond, stalled,
                resetAfterBytes, sliceBytes, sliceDelay, connections);
    }

    public Faults withoutConnectionLimit() {
        return withConnectionLimit(Integer.MAX_VALUE);
    }

    private static void checkLatency(String direction, Duration latency, Duration jitter) {
        checkNotNegative(direction + "Latency", latency);
        checkNotNegative(direction + "Jitter", jitter);
        if (jitter.compareTo(latency) > 0) {
            throw new IllegalArgumentException("Faults " + direction + "Jitter " + jitter + " is not allowed: jitter must"
                    + " be at most the latency (" + latency + "), so that no chunk is due before it arrived");
        }
    }

    private static void checkNotNegative(String element, Duration duration) {
        Objects.requireNonNull(duration, () -> "Faults " + element + " is null: use Duration.ZERO for none");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("Faults " + element + " " + duration
                    + " is not allowed: it must be zero or positive");
        }
    }
}
