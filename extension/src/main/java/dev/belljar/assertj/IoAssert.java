package dev.belljar.assertj;

import dev.belljar.SandboxResult;
import dev.belljar.spec.Comparison;
import dev.belljar.spec.Sizes;

/**
 * Assertions on the bytes a sandbox read from and wrote to block devices. Page-cache hits and
 * tmpfs are not block I/O: a write that stays in the cache may be accounted late or never.
 */
public final class IoAssert extends AbstractGroupAssert<IoAssert, SandboxResult.Io> {
    private static final String READ = "the bytes the sandbox read from block devices";
    private static final String WRITTEN = "the bytes the sandbox wrote to block devices";

    IoAssert(SandboxResultAssert result, SandboxResult.Io io) {
        super(result, io, IoAssert.class);
    }

    /**
     * Verifies that the sandbox wrote at least the given size to block devices.
     *
     * @param size e.g. {@code 10M}
     * @return this assertion
     */
    public IoAssert wroteAtLeast(String size) {
        isNotNull();
        return assertReported(WRITTEN, actual.writeBytes(), Comparison.AT_LEAST, Sizes.parse(size, "wroteAtLeast"),
                Sizes::describe, "");
    }

    /**
     * Verifies that the sandbox wrote at most the given size to block devices.
     *
     * @param size e.g. {@code 1M}, or {@code 0} for nothing
     * @return this assertion
     */
    public IoAssert wroteAtMost(String size) {
        isNotNull();
        return assertReported(WRITTEN, actual.writeBytes(), Comparison.AT_MOST, Sizes.parse(size, "wroteAtMost", true),
                Sizes::describe, "");
    }

    /**
     * Verifies that the sandbox read at least the given size from block devices.
     *
     * @param size e.g. {@code 10M}
     * @return this assertion
     */
    public IoAssert readAtLeast(String size) {
        isNotNull();
        return assertReported(READ, actual.readBytes(), Comparison.AT_LEAST, Sizes.parse(size, "readAtLeast"),
                Sizes::describe, "");
    }

    /**
     * Verifies that the sandbox read at most the given size from block devices.
     *
     * @param size e.g. {@code 1M}, or {@code 0} for nothing
     * @return this assertion
     */
    public IoAssert readAtMost(String size) {
        isNotNull();
        return assertReported(READ, actual.readBytes(), Comparison.AT_MOST, Sizes.parse(size, "readAtMost", true),
                Sizes::describe, "");
    }
}
