package dev.belljar.internal.child;

import dev.belljar.internal.channel.Messages;
import dev.belljar.internal.channel.WorkDir;
import dev.belljar.internal.parent.ChildTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A test's child goes on only once the parent has read the baseline: however late the parent's
 * thread runs, nothing the test does is counted in it. Both ends in this JVM, no sandbox.
 */
class BaselineHandshakeTest {

    @Test
    void theChildWaitsUntilTheParentAnsweredTheTestsStart(@TempDir Path dir) throws Exception {
        WorkDir workDir = WorkDir.at(dir);
        AtomicBoolean baselineRead = new AtomicBoolean();
        CountDownLatch parentMayRead = new CountDownLatch(1);
        try (ChildTransport parent = ChildTransport.start(workDir, false, message -> {
            if (!(message instanceof Messages.TestStarted)) {
                return null;
            }
            try {
                // The parent's thread is late: it reads the baseline only when the test lets it.
                assertThat(parentMayRead.await(1, TimeUnit.MINUTES)).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            baselineRead.set(true);
            return new Messages.BaselineTaken();
        }, "belljar-test-parent")) {
            parent.submit(new Messages.RunTest("[engine:x]", "x()", null, Map.of()));
            try (ParentChannel child = ParentChannel.connect(workDir)) {
                assertThat(child.receive()).isInstanceOf(Messages.RunTest.class);
                child.send(new Messages.TestStarted());
                Thread waiting = new Thread(() -> {
                    try {
                        child.awaitBaseline();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                waiting.start();
                waiting.join(TimeUnit.MILLISECONDS.toMillis(300));
                assertThat(waiting.isAlive()).as("the child waits while the parent has not read the baseline").isTrue();
                assertThat(baselineRead).isFalse();

                parentMayRead.countDown();
                waiting.join(TimeUnit.MINUTES.toMillis(1));
                assertThat(waiting.isAlive()).isFalse();
                assertThat(baselineRead).as("read before the child went on").isTrue();
            }
        }
    }
}
