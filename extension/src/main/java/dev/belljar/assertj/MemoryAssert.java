package dev.belljar.assertj;

import dev.belljar.SandboxResult;
import dev.belljar.spec.Comparison;
import dev.belljar.spec.Sizes;

/**
 * Assertions on a sandbox's memory accounting. Sizes are written as in {@code @Isolated}:
 * {@code 64M}, {@code 1.5G}, {@code 512K} or bytes, and shown in binary units ({@code 52.3 MiB}).
 */
public final class MemoryAssert extends AbstractGroupAssert<MemoryAssert, SandboxResult.Memory> {
    private static final String PEAK = "the sandbox's peak memory";
    private static final String TEST_SHARE = "the test's own share of memory (peak minus baseline)";

    MemoryAssert(SandboxResultAssert result, SandboxResult.Memory memory) {
        super(result, memory, MemoryAssert.class);
    }

    /**
     * Verifies that the sandbox's peak memory, as the kernel recorded it (JVM start-up included),
     * is below the given size.
     *
     * @param size e.g. {@code 48M}
     * @return this assertion
     */
    public MemoryAssert peakIsBelow(String size) {
        isNotNull();
        return assertReported(PEAK, actual.peakBytes(), Comparison.BELOW, Sizes.parse(size, "peakIsBelow"),
                Sizes::describe, limitNote());
    }

    /**
     * Verifies that the sandbox's peak memory is at least the given size: the code under test really
     * used what it was meant to.
     *
     * @param size e.g. {@code 32M}
     * @return this assertion
     */
    public MemoryAssert peakIsAtLeast(String size) {
        isNotNull();
        return assertReported(PEAK, actual.peakBytes(), Comparison.AT_LEAST, Sizes.parse(size, "peakIsAtLeast"),
                Sizes::describe, limitNote());
    }

    /**
     * Verifies that what the test added on top of the JVM's baseline (peak minus the memory in use
     * when the test itself started) is below the given size. Unlike the peak, this leaves out the
     * JVM and the launcher, so it does not move with the JDK.
     *
     * @param size e.g. {@code 16M}
     * @return this assertion
     */
    public MemoryAssert testShareIsBelow(String size) {
        isNotNull();
        long expected = Sizes.parse(size, "testShareIsBelow");
        long peak = actual.peakBytes().orElseThrow(() -> failureExpecting(TEST_SHARE, Comparison.BELOW,
                Sizes.describe(expected), "this host does not report " + PEAK));
        long baseline = actual.baselineBytes().orElseThrow(() -> failureExpecting(TEST_SHARE, Comparison.BELOW,
                Sizes.describe(expected), "the sandbox recorded no baseline: the test itself never started"));
        return assertValue(TEST_SHARE, peak - baseline, Comparison.BELOW, expected, Sizes::describe,
                " (peak " + Sizes.describe(peak) + ", baseline " + Sizes.describe(baseline) + ")");
    }

    /**
     * Verifies how many processes of the sandbox the kernel's OOM killer killed.
     *
     * @param expected the number of OOM kills, {@code 0} for none
     * @return this assertion
     */
    public MemoryAssert oomKills(long expected) {
        isNotNull();
        return assertValue("the number of processes the kernel's OOM killer killed in the sandbox", actual.oomKills(),
                Comparison.EQUAL_TO, expected, Long::toString, limitNote());
    }

    /**
     * Verifies the memory limit the sandbox ran with.
     *
     * @param size e.g. {@code 64M}
     * @return this assertion
     */
    public MemoryAssert limitIs(String size) {
        isNotNull();
        String subject = "the sandbox's memory limit";
        long expected = Sizes.parse(size, "limitIs");
        long limit = actual.limitBytes().orElseThrow(() -> failureExpecting(subject, Comparison.EQUAL_TO,
                Sizes.describe(expected), "no memory limit was declared"));
        return assertValue(subject, limit, Comparison.EQUAL_TO, expected, Sizes::describe, "");
    }

    private String limitNote() {
        return actual.limitBytes().stream().mapToObj(limit -> " (limit " + Sizes.describe(limit) + ")")
                .findFirst().orElse(" (no memory limit declared)");
    }
}
