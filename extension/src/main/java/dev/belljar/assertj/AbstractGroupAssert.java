package dev.belljar.assertj;

/**
 * An assertion on one accounting group of a sandbox's result; {@link #and()} returns to the whole
 * result so that one chain can check several groups.
 */
abstract class AbstractGroupAssert<SELF extends AbstractGroupAssert<SELF, ACTUAL>, ACTUAL>
        extends AbstractSandboxAssert<SELF, ACTUAL> {
    private final SandboxResultAssert result;

    AbstractGroupAssert(SandboxResultAssert result, ACTUAL group, Class<?> selfType) {
        super(group, selfType);
        this.result = result;
        // a description given with as(...) on the result still names the failures of its groups
        info.description(result.info.description());
    }

    /**
     * Returns to the assertion on the whole result, e.g.
     * {@code assertThat(r).memory().peakIsBelow("48M").and().cpu().wasNotThrottled()}.
     *
     * @return the assertion on the result this group belongs to
     */
    public SandboxResultAssert and() {
        return result;
    }
}
