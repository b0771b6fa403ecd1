package dev.belljar.assertj;

import dev.belljar.SandboxResult;

/**
 * The entry point to Belljar's AssertJ assertions on what the kernel saw of a sandbox:
 * <pre>{@code
 * SandboxResult r = sandbox.with(spec -> spec.memory("64M").cpu("0.5")).run(CacheWorkload::fill);
 * assertThat(r).succeeded()
 *         .memory().peakIsBelow("48M")
 *         .and().cpu().wasThrottled();
 * }</pre>
 * A value the host does not report (a memory peak on cgroup v1, for one) fails the assertion
 * that needs it, saying so; it is never taken for zero.
 *
 * <p>AssertJ is an optional dependency of Belljar: only code that uses this package needs it.
 */
public final class BelljarAssertions {

    private BelljarAssertions() {
    }

    /**
     * Starts assertions on a sandbox's result.
     *
     * @param actual the result of a sandbox run
     * @return assertions on how it ended, with a way into each accounting group
     */
    public static SandboxResultAssert assertThat(SandboxResult actual) {
        return new SandboxResultAssert(actual);
    }
}
