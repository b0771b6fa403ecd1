package dev.belljar.internal.child;

import dev.belljar.Isolated;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

import java.util.List;

/**
 * The tests Belljar's own children run: a pre-started child warms up on {@link #warmUp()}, and the
 * training run that makes the class-data-sharing archive also runs {@link #train}. Only ever
 * selected by their unique ids.
 */
class TrainingWorkload {
    private static final String CLASS_ID = classId(TrainingWorkload.class);
    static final String WARM_UP_ID = CLASS_ID + "/[method:warmUp()]";
    static final String INVOCATION_WARM_UP_ID = CLASS_ID
            + "/[test-template:warmUpInvocation()]/[test-template-invocation:#1]";
    static final String TRAINING_ID = CLASS_ID
            + "/[test-template:train(org.junit.jupiter.api.TestReporter)]/[test-template-invocation:#1]";

    /** What every test goes through, and no more: a report entry would load java.time's zone data. */
    @Test
    @Isolated
    void warmUp() {
    }

    /** What a template also warms up on: an invocation of a test template, without a report entry. */
    @RepeatedTest(1)
    @Isolated
    void warmUpInvocation() {
    }

    /** The tests a serving template warms up its class run on. */
    static final List<String> CLASS_RUN_WARM_UP_IDS = List.of(classId(SharedClass.class) + "/[method:first()]",
            classId(SharedClass.class) + "/[test-template:second()]/[test-template-invocation:#1]");

    private static String classId(Class<?> testClass) {
        return "[engine:junit-jupiter]/[class:" + testClass.getName() + "]";
    }

    /** Test templates and report entries: children whose tests use them find them in the archive. */
    @RepeatedTest(1)
    @Isolated
    void train(TestReporter reporter) {
        reporter.publishEntry("trained", "true");
    }

    /** A class whose tests share a child, as {@code reuse = CLASS} has them: what a serving template warms up on. */
    @Isolated
    static class SharedClass {
        @Test
        void first() {
        }

        @RepeatedTest(1)
        void second() {
        }
    }
}
