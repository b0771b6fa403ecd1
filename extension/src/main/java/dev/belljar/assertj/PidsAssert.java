package dev.belljar.assertj;

import dev.belljar.SandboxResult;
import dev.belljar.spec.Comparison;

/** Assertions on the processes and threads of a sandbox, as its cgroup's pids controller counts them. */
public final class PidsAssert extends AbstractGroupAssert<PidsAssert, SandboxResult.Pids> {
    private static final String PEAK = "the sandbox's peak number of processes and threads";

    PidsAssert(SandboxResultAssert result, SandboxResult.Pids pids) {
        super(result, pids, PidsAssert.class);
    }

    /**
     * Verifies that the sandbox never had more than {@code max} processes and threads at once
     * (every JVM thread counts).
     *
     * @param max the most it may have had
     * @return this assertion
     */
    public PidsAssert peakIsAtMost(long max) {
        isNotNull();
        // the current count at the end is no stand-in for a peak: the threads are gone by then
        long peak = actual.peak().orElseThrow(() -> failureExpecting(PEAK, Comparison.AT_MOST, Long.toString(max),
                "this host does not report " + PEAK + " (cgroup v1 and Linux before 6.1 keep no pids peak)"));
        return assertValue(PEAK, peak, Comparison.AT_MOST, max, Long::toString,
                actual.limit().stream().mapToObj(limit -> " (limit " + limit + ")").findFirst().orElse(" (no pids limit declared)"));
    }
}
