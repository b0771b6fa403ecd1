package dev.belljar.internal.child;

import dev.belljar.internal.channel.Messages;
import dev.belljar.internal.channel.WorkDir;
import dev.belljar.internal.parent.ChildTransport;
import dev.belljar.linux.libc.Syscalls;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The training run behind the class-data-sharing archive: a child's whole path, as a pre-started
 * child goes it, with a parent in this JVM serving the channel. So the archive holds what every
 * child loads before and around its test too (lifeline, channel, codec), not only JUnit. The test
 * it is sent is a repetition that publishes a report entry: those paths join the archive too,
 * which a pre-started child's warm-up leaves out.
 */
public final class Training {
    /** The first of a training child's two arguments, the second being a work dir for its channel. */
    public static final String ARGUMENT = "--train";

    private Training() {
    }

    static void run(WorkDir workDir) throws Exception {
        // JNA's classes join the archive too: the setup steps of many sandboxes call the kernel.
        Syscalls.close(Syscalls.eventFd());
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        try (ChildTransport parent = ChildTransport.start(workDir, false, message -> {
            if (message instanceof Messages.Finished || message instanceof Messages.CannotRun) {
                outcome.complete(message);
            }
            return message instanceof Messages.TestStarted ? new Messages.BaselineTaken() : null;
        }, "belljar-training-parent")) {
            parent.submit(new Messages.RunTest(TrainingWorkload.TRAINING_ID, "train(TestReporter)", null,
                    Map.of("k", "v")));
            ChildMain.runChild(workDir, true, false, List.of());
            Object ended = outcome.get(1, TimeUnit.MINUTES);
            if (!(ended instanceof Messages.Finished finished) || finished.status() != Messages.Status.SUCCESSFUL) {
                throw new IllegalStateException("the training test did not pass: " + ended);
            }
        }
    }
}
