package dev.belljar.internal.child;

import dev.belljar.internal.channel.Messages;
import dev.belljar.internal.channel.RemoteThrowable;
import org.junit.platform.engine.TestEngine;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherFactory;
import org.opentest4j.TestAbortedException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectUniqueId;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * Runs one test in the child: exactly the one the parent selected by its unique id, through the
 * JUnit launcher, with its events streamed to the parent.
 */
public final class TestRunner {
    /** Set in the child to the unique id of the test it runs: the extension there runs it in place. */
    public static final String CHILD_TEST_PROPERTY = "belljar.child.uniqueId";

    private TestRunner() {
    }

    /** Runs the test {@code request} names through the JUnit launcher; its events go to {@code out}. */
    static void run(Messages.RunTest request, Sender out) throws IOException {
        ChildMain.applySystemProperties(request.systemProperties());
        System.setProperty(CHILD_TEST_PROPERTY, request.uniqueId());
        ChildSandboxContext.setSpec(request.serializedSpec());
        ChildSandboxContext.setParent(out);
        Launcher launcher = LauncherFactory.create(leanLauncherConfig());
        LauncherDiscoveryRequest discovery = request().selectors(selectUniqueId(request.uniqueId())).build();
        TestPlan plan;
        try {
            plan = launcher.discover(discovery);
        } catch (RuntimeException e) {
            // JUnit 5.13+ reports a selector it cannot resolve as a critical discovery issue.
            out.send(new Messages.CannotRun("the child JVM could not discover the test " + request.uniqueId()
                    + ": " + e.getMessage(), RemoteThrowable.of(e)));
            return;
        }
        UniqueId target = UniqueId.parse(request.uniqueId());
        // Invocations of test templates (parameterized, repeated) are registered during execution:
        // discovery knows their template, and runs only the selected invocation of it.
        UniqueId template = target.removeLastSegment();
        boolean found = plan.getRoots().stream()
                .flatMap(root -> plan.getDescendants(root).stream())
                .map(TestIdentifier::getUniqueIdObject)
                .anyMatch(id -> id.equals(target) || id.equals(template) && !id.getSegments().isEmpty()
                        && target.getLastSegment().getType().endsWith("-invocation"));
        if (!found) {
            out.send(new Messages.CannotRun("the child JVM's test plan has no test with the unique id "
                    + request.uniqueId() + " (is the class path the same in the child?)", null));
            return;
        }
        Forwarder forwarder = new Forwarder(target, out);
        launcher.execute(plan, forwarder);
        if (forwarder.failure != null) {
            throw forwarder.failure;
        }
        if (!forwarder.finished) {
            out.send(new Messages.CannotRun("the child JVM ran the test plan but the test "
                    + request.uniqueId() + " never finished", null));
        }
    }

    /**
     * Only the Jupiter engine, no auto-registered listeners or filters: the child pays for nothing
     * but its one test. Falls back to auto-registration where the engine class is not found.
     */
    static LauncherConfig leanLauncherConfig() {
        TestEngine jupiter;
        try {
            jupiter = (TestEngine) Class.forName("org.junit.jupiter.engine.JupiterTestEngine")
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return LauncherConfig.DEFAULT;
        }
        return LauncherConfig.builder()
                .enableTestEngineAutoRegistration(false)
                .addTestEngines(jupiter)
                .enableTestExecutionListenerAutoRegistration(false)
                .enablePostDiscoveryFilterAutoRegistration(false)
                .enableLauncherDiscoveryListenerAutoRegistration(false)
                .enableLauncherSessionListenerAutoRegistration(false)
                .build();
    }

    /** Loads and runs what every test needs (launcher, engine, extension, codec) on a test of Belljar's own. */
    static void warmUp() throws IOException {
        // Messages go nowhere: the parent waits for the child's test, and writing them runs the real code paths.
        DataOutputStream nowhere = new DataOutputStream(OutputStream.nullOutputStream());
        run(readBack(new Messages.RunTest(TrainingWorkload.WARM_UP_ID, "warmUp()", null, Map.of("k", "v"))),
                message -> Messages.send(nowhere, message));
    }

    /**
     * What {@link #warmUp} does, and a test template's invocation too ({@code @RepeatedTest},
     * {@code @ParameterizedTest}): each child restored from a template gets this warm JVM, so
     * warming up more costs nothing per test.
     */
    static void warmUpTemplate() throws IOException {
        warmUp();
        DataOutputStream nowhere = new DataOutputStream(OutputStream.nullOutputStream());
        run(readBack(new Messages.RunTest(TrainingWorkload.INVOCATION_WARM_UP_ID, "invocation of warmUpInvocation()", null,
                Map.of("k", "v"))), message -> Messages.send(nowhere, message));
    }

    /** The request as it arrives over the channel: reading it back runs what the real one needs. */
    private static Messages.RunTest readBack(Messages.RunTest request) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Messages.send(new DataOutputStream(bytes), request);
        return (Messages.RunTest) Messages.receive(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }

    /**
     * What a serving template also warms up on: a class run of two tests that the requests name,
     * as a shared child runs its class. Its restored children then find that path warm too.
     */
    static void warmUpClassRun() throws IOException {
        DataOutputStream nowhere = new DataOutputStream(OutputStream.nullOutputStream());
        Deque<Messages.RunTest> requests = new ArrayDeque<>();
        for (String id : TrainingWorkload.CLASS_RUN_WARM_UP_IDS) {
            requests.add(readBack(new Messages.RunTest(id, id, null, Map.of("k", "v"))));
        }
        ClassRun.serve(new Sender() {
            @Override
            public void send(Object message) throws IOException {
                Messages.send(nowhere, message);
            }

            @Override
            public Object receive() throws IOException {
                if (requests.isEmpty()) {
                    throw new IOException("the warm-up's requests are all served");
                }
                return requests.poll();
            }
        }, requests.poll());
    }

    /** What the child tells the parent of its test's end. */
    static Messages.Finished finished(TestIdentifier id, TestExecutionResult result) {
        Messages.Status status = switch (result.getStatus()) {
            case SUCCESSFUL -> Messages.Status.SUCCESSFUL;
            case ABORTED -> Messages.Status.ABORTED;
            case FAILED -> Messages.Status.FAILED;
        };
        return new Messages.Finished(id.getDisplayName(), status, result.getThrowable().map(RemoteThrowable::of).orElse(null), null);
    }

    /** What the child tells the parent of a test (or its container) that JUnit skipped there. */
    static Messages.Finished skipped(TestIdentifier id, String reason) {
        return new Messages.Finished(id.getDisplayName(), Messages.Status.ABORTED,
                RemoteThrowable.of(new TestAbortedException("skipped in the child JVM: " + reason)), null);
    }

    /** Where the child's messages go: the parent, or nowhere during warm-up. */
    @FunctionalInterface
    interface Sender {
        void send(Object message) throws IOException;

        /** The parent's next message; an IOException once it closed the channel. */
        default Object receive() throws IOException {
            throw new IOException("no parent to receive from");
        }

        /** Waits until the parent read the sandbox's accounting at the test's start; nowhere, at once. */
        default void awaitBaseline() throws IOException {
        }

        /** Sends {@code message} and returns the parent's answer to it. */
        default Object ask(Object message) throws IOException {
            throw new IOException("no parent to ask: " + message);
        }
    }

    /** Streams the target test's events (and failures of the containers around it) to the parent. */
    private static final class Forwarder implements TestExecutionListener {
        private final UniqueId target;
        private final Sender out;
        private boolean finished;
        private IOException failure;

        Forwarder(UniqueId target, Sender out) {
            this.target = target;
            this.out = out;
        }

        @Override
        public void executionStarted(TestIdentifier id) {
            if (isTarget(id)) {
                trySend(new Messages.TestStarted());
                try {
                    out.awaitBaseline();
                } catch (IOException e) {
                    failure = e;
                }
            }
        }

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            if (isTarget(id) || target.hasPrefix(id.getUniqueIdObject())) {
                finished = true;
                trySend(skipped(id, reason));
            }
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            RemoteThrowable throwable = result.getThrowable().map(RemoteThrowable::of).orElse(null);
            if (isTarget(id)) {
                finished = true;
                trySend(finished(id, result));
            } else if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL && throwable != null) {
                trySend(new Messages.ContainerFailed(id.getDisplayName(), throwable));
            }
        }

        @Override
        public void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
            trySend(new Messages.ReportEntry(entry.getKeyValuePairs()));
        }

        private boolean isTarget(TestIdentifier id) {
            return id.getUniqueIdObject().equals(target);
        }

        private void trySend(Object message) {
            try {
                out.send(message);
            } catch (IOException e) {
                failure = e;
            }
        }
    }
}
