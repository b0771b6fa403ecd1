package dev.belljar.internal.child;

import dev.belljar.internal.channel.Messages;
import dev.belljar.internal.parent.IsolatedSpecs;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherFactory;

import java.io.IOException;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectUniqueId;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * The tests of a class that share one child ({@code reuse = CLASS}), run in one JUnit execution of
 * their class: discovered once, the class set up once ({@code @BeforeAll}), each test run when the
 * parent asks for it. Before each test or container the execution stops ({@link #admit}) until the
 * parent's next request: the one it names runs, and what the parent does not ask for is skipped.
 * Both JVMs order the tests the same way; a request the execution does not meet (another order, a
 * class that failed to set up) runs alone afterwards, as in a child of its own.
 */
public final class ClassRun {
    /** The class run under way in this JVM, which the extension's condition asks; null elsewhere. */
    private static volatile ClassRun current;
    private static final ConditionEvaluationResult ENABLED = ConditionEvaluationResult.enabled("not in a shared child's class run");

    private final TestRunner.Sender parent;
    /** The parent's request that no test met yet; null once met, until the next one is read. */
    private Messages.RunTest pending;
    /** The parent closed the channel: its class is done, and what is left of the execution is skipped. */
    private boolean classOver;
    /** The test the parent's request named, while it runs. */
    private UniqueId running;
    /** Whether the parent's accounting as it sent the running test is that test's baseline. */
    private boolean baselineAtRequest;
    private IOException failure;

    private ClassRun(TestRunner.Sender parent, Messages.RunTest first) {
        this.parent = parent;
        this.pending = first;
    }

    /**
     * Serves a shared child's requests, {@code first} and all that follow, until the parent closes
     * the channel. Where {@code @Isolated} is not on the class, its other tests would run unasked in
     * a class run: each test then runs alone.
     */
    static void serve(TestRunner.Sender parent, Messages.RunTest first) throws IOException {
        Messages.RunTest request = first;
        while (request != null) {
            ClassRun run = new ClassRun(parent, request);
            if (!run.execute()) {
                do {
                    TestRunner.run(request, parent);
                } while ((request = run.next()) != null);
                return;
            }
            if (run.classOver) {
                return;
            }
            if (run.pending != null) {
                TestRunner.run(run.pending, parent);
            }
            request = run.next();
        }
    }

    /**
     * Whether the test or container {@code id} runs now, for the extension's execution condition:
     * always outside a class run.
     */
    public static ConditionEvaluationResult admit(String uniqueId) {
        ClassRun run = current;
        return run == null ? ENABLED : run.decide(UniqueId.parse(uniqueId));
    }

    /** Runs the class's execution; false where the class cannot run as one ({@code @Isolated} not on it). */
    private boolean execute() throws IOException {
        UniqueId container = classOf(UniqueId.parse(pending.uniqueId()));
        System.setProperty(TestRunner.CHILD_TEST_PROPERTY, pending.uniqueId());
        Launcher launcher = LauncherFactory.create(TestRunner.leanLauncherConfig());
        TestPlan plan;
        try {
            plan = launcher.discover(request().selectors(selectUniqueId(container)).build());
        } catch (RuntimeException e) {
            return false; // the request runs alone, which reports why it cannot be discovered
        }
        boolean isolatedClass = plan.getTestIdentifier(container).getSource()
                .filter(ClassSource.class::isInstance).map(source -> ((ClassSource) source).getJavaClass())
                .map(IsolatedSpecs::isClassIsolated).orElse(false);
        if (!isolatedClass) {
            return false;
        }
        current = this;
        try {
            launcher.execute(plan, new Listener());
        } finally {
            current = null;
        }
        if (failure != null) {
            throw failure;
        }
        return true;
    }

    /** The class (or nested class) of a test, or of a test template's invocation. */
    private static UniqueId classOf(UniqueId test) {
        UniqueId container = test.removeLastSegment();
        return test.getLastSegment().getType().endsWith("-invocation") ? container.removeLastSegment() : container;
    }

    private ConditionEvaluationResult decide(UniqueId id) {
        boolean readJustNow = false;
        if (pending == null && !classOver) {
            pending = next();
            classOver = pending == null;
            readJustNow = true;
        }
        if (classOver) {
            return ConditionEvaluationResult.disabled("the test JVM has run its tests of this class");
        }
        UniqueId wanted = UniqueId.parse(pending.uniqueId());
        if (id.equals(wanted)) {
            begin(pending, readJustNow);
            return ConditionEvaluationResult.enabled("the test JVM's next test");
        }
        if (wanted.hasPrefix(id)) {
            return ConditionEvaluationResult.enabled("holds the test JVM's next test");
        }
        return ConditionEvaluationResult.disabled("not the test JVM's next test (" + pending.uniqueId() + ")");
    }

    /** The parent's next request; null once it closed the channel. */
    private Messages.RunTest next() {
        try {
            return (Messages.RunTest) parent.receive();
        } catch (IOException channelClosed) {
            return null;
        }
    }

    /**
     * @param idleSinceRequest whether the request was read while waiting for it right before this
     *                         test: then the parent's accounting as it sent it is the test's
     *                         baseline, and the test starts without asking for one
     */
    private void begin(Messages.RunTest request, boolean idleSinceRequest) {
        baselineAtRequest = idleSinceRequest;
        ChildMain.applySystemProperties(request.systemProperties());
        System.setProperty(TestRunner.CHILD_TEST_PROPERTY, request.uniqueId());
        ChildSandboxContext.setSpec(request.serializedSpec());
        ChildSandboxContext.setParent(parent);
        running = UniqueId.parse(request.uniqueId());
    }

    /** Streams the events of the requested tests to the parent; a test met ends its request. */
    private final class Listener implements TestExecutionListener {
        @Override
        public void executionStarted(TestIdentifier id) {
            if (isRunning(id) && !baselineAtRequest) {
                try {
                    parent.send(new Messages.TestStarted());
                    parent.awaitBaseline();
                } catch (IOException e) {
                    failure = e;
                }
            }
        }

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            if (isRunning(id)) {
                end(TestRunner.skipped(id, reason));
            }
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (isRunning(id)) {
                end(TestRunner.finished(id, result));
            }
        }

        @Override
        public void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
            if (running != null) {
                send(new Messages.ReportEntry(entry.getKeyValuePairs()));
            }
        }

        private boolean isRunning(TestIdentifier id) {
            return running != null && id.getUniqueIdObject().equals(running);
        }

        private void end(Messages.Finished finished) {
            running = null;
            pending = null;
            send(finished);
        }

        private void send(Object message) {
            try {
                parent.send(message);
            } catch (IOException e) {
                failure = e;
            }
        }
    }
}
