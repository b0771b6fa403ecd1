package dev.belljar.internal;

import dev.belljar.linux.libc.Syscalls;
import dev.belljar.linux.ns.Mounts;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestEngine;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectUniqueId;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * The child JVM's entry point, already inside its namespaces and cgroup. It finishes the setup
 * that needs no fork (hostname, loopback), connects to the parent, waits for the test's unique id,
 * runs exactly that test through the JUnit launcher and streams what happened back.
 *
 * <p>Arguments: the work dir, then {@code hostname=NAME} and {@code loopback=up} as needed.
 */
public final class ChildMain {
    /** Exit status when stdin (the lifeline to the parent) reaches EOF: the parent is gone. */
    static final int PARENT_GONE = 120;
    /** An empty, unreadable file that hidden files are covered with. */
    static final String HIDDEN_FILE = "hidden-empty-file";
    /** uid and gid of {@code User.NOBODY}. */
    static final int NOBODY = 65534;
    /** Set in the child to the unique id of the test it runs: the extension there runs it in place. */
    static final String CHILD_TEST_PROPERTY = "belljar.child.uniqueId";
    /**
     * The first of a training child's two arguments, the second being a work dir for its channel:
     * it runs {@link TrainingWorkload} with a parent of its own, then exits.
     */
    static final String TRAIN_ARGUMENT = "--train";
    /** A pre-started child warms the JUnit launcher up while it waits for its test. */
    static final String WARM_UP_STEP = "warmup";

    private ChildMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals(TRAIN_ARGUMENT)) {
            train(Path.of(args[1]));
        } else {
            runChild(args);
        }
        System.exit(0);
    }

    private static void runChild(String[] args) throws Exception {
        Path workDir = Path.of(args[0]);
        watchLifeline();
        List<String> steps = List.of(args).subList(1, args.length).stream()
                .filter(step -> !step.equals(WARM_UP_STEP)).toList();
        boolean warmUp = steps.size() < args.length - 1;
        for (String step : steps) {
            if (!isAfterConnect(step)) {
                setUp(step, workDir);
            }
        }
        if (steps.stream().anyMatch(step -> step.startsWith("hidden="))) {
            // Made now: later the work dir may be read-only or covered.
            Files.createFile(workDir.resolve(HIDDEN_FILE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("---------")));
        }
        try (ParentChannel parent = ParentChannel.connect(workDir)) {
            // Connected: from here the work dir may be covered by a mount, and privileges may go.
            for (String step : steps) {
                if (isAfterConnect(step)) {
                    setUp(step, workDir);
                }
            }
            announceOrderlyExit(parent);
            if (warmUp) {
                warmUp();
            }
            Object request = parent.receive();
            if (request instanceof Messages.RunTask task) {
                // A started process may be checkpointed: the parent may ask it to let go of the channel.
                parent.serveDetachRequests();
                applySystemProperties(task.systemProperties());
                parent.send(new Messages.TestStarted());
                parent.send(TaskRunner.run(task));
            } else {
                run((Messages.RunTest) request, parent::send);
            }
        }
    }

    /**
     * The training run: a child's whole path, as a pre-started child goes it, with a parent in
     * this JVM serving the channel. So the archive holds what every child loads before and around
     * its test too (lifeline, channel, codec), not only JUnit: a child loaded over a hundred JDK
     * classes from the runtime image and linked its own lambdas anew when the training ran the
     * test alone. The test it is sent is a repetition that publishes a report entry: those paths
     * join the archive too, which a pre-started child's warm-up leaves out.
     */
    private static void train(Path workDir) throws Exception {
        // JNA's classes join the archive too: the setup steps of many sandboxes call the kernel.
        Syscalls.close(Syscalls.eventFd());
        try (ChannelPipes pipes = ChannelPipes.make(workDir, false)) {
            FutureTask<Object> parent = new FutureTask<>(() -> serveTraining(pipes));
            new Thread(parent, "belljar-training-parent").start();
            runChild(new String[] {workDir.toString(), WARM_UP_STEP});
            Object outcome = parent.get();
            if (!(outcome instanceof Messages.Finished finished) || finished.status() != Messages.Status.SUCCESSFUL) {
                throw new IllegalStateException("the training test did not pass: " + outcome);
            }
        }
    }

    /** The parent's side of a training run: sends the test, returns how it ended. */
    private static Object serveTraining(ChannelPipes pipes) throws IOException {
        try (ChannelPipes.Connection child = pipes.accept()) {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(child.output()));
            Messages.send(out, new Messages.RunTest(TrainingWorkload.TRAINING_ID, "train(TestReporter)", null,
                    Map.of("k", "v")));
            DataInputStream in = new DataInputStream(new BufferedInputStream(child.input()));
            while (true) {
                Object message = Messages.receive(in);
                if (message instanceof Messages.Finished || message instanceof Messages.CannotRun) {
                    return message;
                }
            }
        }
    }

    private static void run(Messages.RunTest request, Sender out) throws IOException {
        applySystemProperties(request.systemProperties());
        System.setProperty(CHILD_TEST_PROPERTY, request.uniqueId());
        ChildSandboxContext.setSpec(request.serializedSpec());
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
    private static LauncherConfig leanLauncherConfig() {
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
    private static void warmUp() throws IOException {
        // Messages go nowhere: the parent waits for the child's test, and writing them runs the real code paths.
        DataOutputStream nowhere = new DataOutputStream(java.io.OutputStream.nullOutputStream());
        run(readBack(new Messages.RunTest(TrainingWorkload.WARM_UP_ID, "warmUp()", null, Map.of("k", "v"))),
                message -> Messages.send(nowhere, message));
    }

    /** The request as it arrives over the channel: reading it back runs what the real one needs. */
    private static Messages.RunTest readBack(Messages.RunTest request) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Messages.send(new DataOutputStream(bytes), request);
        return (Messages.RunTest) Messages.receive(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }

    /**
     * Tells the parent, when the JVM shuts down in order (it returned or called System.exit), so
     * that the parent can tell an exit status from a death by signal. Sent over the channel: a
     * file would keep the work dir's mount busy and could not be written once it is read-only.
     */
    private static void announceOrderlyExit(ParentChannel parent) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                parent.send(new Messages.Exiting());
            } catch (IOException ignored) {
                // the parent then reports a death by signal, which is what it looks like
            }
            // A thread still reading the channel would hold the JVM's exit up (see watchLifeline).
            parent.close();
        }, "belljar-orderly-exit"));
    }

    private static boolean isAfterConnect(String step) {
        return step.startsWith("readonly=") || step.startsWith("writable=") || step.startsWith("tmpfs=")
                || step.startsWith("hidden=") || step.startsWith("cgroupfs=") || step.equals("user=nobody");
    }

    private static void setUp(String step, Path workDir) throws IOException {
        String value = step.substring(step.indexOf('=') + 1);
        if (step.startsWith("hostname=")) {
            Syscalls.setHostname(value);
        } else if (step.startsWith("domainname=")) {
            Syscalls.setDomainname(value);
        } else if (step.equals("cgroupfs=remount")) {
            Mounts.cgroupfsOfThisNamespace(Path.of("/proc/self/mountinfo"));
        } else if (step.startsWith("readonly=")) {
            Mounts.readOnly(Path.of(value));
        } else if (step.startsWith("writable=")) {
            Mounts.writable(Path.of(value));
        } else if (step.startsWith("tmpfs=")) {
            int colon = value.indexOf(':');
            Mounts.tmpfs(Path.of(value.substring(colon + 1)), Long.parseLong(value.substring(0, colon)));
        } else if (step.startsWith("hidden=")) {
            Mounts.hide(Path.of(value), workDir.resolve(HIDDEN_FILE));
        } else if (step.equals("user=nobody")) {
            Syscalls.dropPrivileges(NOBODY, NOBODY);
        } else if (step.equals("loopback=up")) {
            Syscalls.interfaceUp("lo");
        } else {
            throw new IllegalArgumentException("unknown child setup step '" + step + "'");
        }
    }

    /** The parent's run-time system properties (those the JVM sets itself are not sent). */
    private static void applySystemProperties(Map<String, String> properties) {
        properties.forEach(System::setProperty);
    }

    /**
     * Halts when stdin reaches EOF: the parent died (or gave up on this child), nothing is left to
     * report to. The read goes through a {@link FileChannel} so that an orderly exit can close it
     * and signal the reader out of its read: HotSpot waits up to 300 ms at exit for any thread
     * still blocked in native code, which would add that much to every sandbox.
     */
    private static void watchLifeline() {
        FileChannel stdin = new FileInputStream(FileDescriptor.in).getChannel();
        Thread lifeline = new Thread(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(64);
            try {
                while (stdin.read(buffer.clear()) >= 0) {
                    // the parent never writes; any bytes are ignored
                }
            } catch (AsynchronousCloseException orderlyExit) {
                return;
            } catch (IOException ignored) {
                // a broken pipe means the same as EOF
            }
            Runtime.getRuntime().halt(PARENT_GONE);
        }, "belljar-lifeline");
        lifeline.setDaemon(true);
        lifeline.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                stdin.close();
            } catch (IOException ignored) {
                // the JVM exits either way
            }
        }, "belljar-lifeline-close"));
    }

    /** Where the child's messages go: the parent, or nowhere during warm-up. */
    @FunctionalInterface
    interface Sender {
        void send(Object message) throws IOException;
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
            }
        }

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            if (isTarget(id) || target.hasPrefix(id.getUniqueIdObject())) {
                finished = true;
                trySend(new Messages.Finished(id.getDisplayName(), Messages.Status.ABORTED,
                        RemoteThrowable.of(new org.opentest4j.TestAbortedException(
                                "skipped in the child JVM: " + reason)), null));
            }
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            RemoteThrowable throwable = result.getThrowable().map(RemoteThrowable::of).orElse(null);
            if (isTarget(id)) {
                finished = true;
                Messages.Status status = switch (result.getStatus()) {
                    case SUCCESSFUL -> Messages.Status.SUCCESSFUL;
                    case ABORTED -> Messages.Status.ABORTED;
                    case FAILED -> Messages.Status.FAILED;
                };
                trySend(new Messages.Finished(id.getDisplayName(), status, throwable, null));
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
