package dev.belljar.internal;

import dev.belljar.Isolated;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

/**
 * The test a training child runs to record the classes every child loads (launcher, engine,
 * extension, channel) into a class-data-sharing archive. Only ever selected by its unique id.
 */
class TrainingWorkload {
    static final String UNIQUE_ID = "[engine:junit-jupiter]/[class:" + TrainingWorkload.class.getName()
            + "]/[method:warmUp(org.junit.jupiter.api.TestReporter)]";

    @Test
    @Isolated
    void warmUp(TestReporter reporter) {
        reporter.publishEntry("trained", "true");
    }
}
