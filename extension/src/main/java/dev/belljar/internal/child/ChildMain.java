package dev.belljar.internal.child;

import dev.belljar.internal.channel.Messages;
import dev.belljar.internal.channel.TaskRunner;
import dev.belljar.internal.channel.WorkDir;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The child JVM's entry point, already inside its namespaces and cgroup. It watches its lifeline,
 * runs its set-up steps ({@link SetupStep}) around connecting to the parent, waits for its test or
 * task, runs it and streams what happened back.
 *
 * <p>Arguments ({@link #arguments}): the work dir, {@value #WARM_UP} for a pre-started child,
 * {@value #TEMPLATE} for a template, {@value #SERVE} for a child that runs one test after another,
 * then the encoded set-up steps. {@value Training#ARGUMENT} and a work dir instead start a training
 * run.
 *
 * <p>A template warms up, marks itself ready in its work dir ({@link WorkDir#templateReady}) and
 * waits, connected to nothing, to be checkpointed. Each child restored from it reads its own work
 * dir as the first line of its stdin, then goes on as any child does from there.
 */
public final class ChildMain {
    /** Exit status when stdin (the lifeline to the parent) reaches EOF: the parent is gone. */
    public static final int PARENT_GONE = 120;
    /** {@code true} in every child JVM: {@code SandboxContext.insideSandbox()}. */
    public static final String INSIDE_PROPERTY = "belljar.insideSandbox";
    /** A pre-started child warms the JUnit launcher up while it waits for its test. */
    private static final String WARM_UP = "--warm-up";
    /** A child shared by the tests of a class ({@code reuse = CLASS}) waits for the next test after each. */
    private static final String SERVE = "--serve";
    /** A template to checkpoint once warm, and to restore for each test. */
    private static final String TEMPLATE = "--template";

    private ChildMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty(INSIDE_PROPERTY, "true");
        if (args.length == 2 && args[0].equals(Training.ARGUMENT)) {
            Training.run(WorkDir.at(Path.of(args[1])));
        } else {
            int next = 1;
            boolean warmUp = args.length > next && args[next].equals(WARM_UP);
            next += warmUp ? 1 : 0;
            boolean template = args.length > next && args[next].equals(TEMPLATE);
            next += template ? 1 : 0;
            boolean serve = args.length > next && args[next].equals(SERVE);
            next += serve ? 1 : 0;
            List<SetupStep> steps = new ArrayList<>();
            for (int i = next; i < args.length; i++) {
                steps.add(SetupStep.decode(args[i]));
            }
            WorkDir workDir = WorkDir.at(Path.of(args[0]));
            if (template) {
                runTemplate(workDir, serve, steps);
            } else {
                runChild(workDir, warmUp, serve, steps);
            }
        }
        System.exit(0);
    }

    /** The child's arguments after its main class, as {@link #main} reads them. */
    public static List<String> arguments(WorkDir workDir, boolean warmUp, boolean serve, List<SetupStep> steps) {
        return arguments(workDir, warmUp, false, serve, steps);
    }

    /** The arguments of a template: see {@link ChildMain}. */
    public static List<String> templateArguments(WorkDir workDir, boolean serve, List<SetupStep> steps) {
        return arguments(workDir, false, true, serve, steps);
    }

    private static List<String> arguments(WorkDir workDir, boolean warmUp, boolean template, boolean serve,
                                          List<SetupStep> steps) {
        List<String> arguments = new ArrayList<>();
        arguments.add(workDir.path().toString());
        if (warmUp) {
            arguments.add(WARM_UP);
        }
        if (template) {
            arguments.add(TEMPLATE);
        }
        if (serve) {
            arguments.add(SERVE);
        }
        steps.forEach(step -> arguments.add(step.encode()));
        return arguments;
    }

    static void runChild(WorkDir workDir, boolean warmUp, boolean serve, List<SetupStep> steps) throws Exception {
        watchLifeline(null);
        SetupStep.run(SetupStep.Phase.BEFORE_CONNECT, steps, workDir);
        connectAndRun(workDir, warmUp, serve, steps);
    }

    /**
     * Sets up what needs no work dir, warms up and waits for the checkpoint; each restored copy
     * goes on in the work dir it reads from stdin.
     */
    private static void runTemplate(WorkDir templateDir, boolean serve, List<SetupStep> steps) throws Exception {
        CompletableFuture<Path> restoredInto = new CompletableFuture<>();
        watchLifeline(restoredInto);
        SetupStep.run(SetupStep.Phase.BEFORE_CONNECT, steps, templateDir, step -> !step.writesWorkDir());
        TestRunner.warmUpTemplate();
        if (serve) {
            TestRunner.warmUpClassRun();
        }
        SetupStep.rehearse(steps);
        // The warm-up's garbage goes, and with it (in a heap that starts at its minimum) the pages it took: the image keeps what lives.
        System.gc();
        Files.createFile(templateDir.templateReady());
        WorkDir workDir = WorkDir.at(restoredInto.get());
        SetupStep.run(SetupStep.Phase.BEFORE_CONNECT, steps, workDir, SetupStep::writesWorkDir);
        connectAndRun(workDir, false, serve, steps);
    }

    private static void connectAndRun(WorkDir workDir, boolean warmUp, boolean serve, List<SetupStep> steps) throws Exception {
        try (ParentChannel parent = ParentChannel.connect(workDir)) {
            SetupStep.run(SetupStep.Phase.AFTER_CONNECT, steps, workDir);
            SetupStep.run(SetupStep.Phase.LAST, steps, workDir);
            announceOrderlyExit(parent);
            if (warmUp) {
                TestRunner.warmUp();
            }
            Object request = parent.receive();
            if (request instanceof Messages.RunTask task) {
                // A started process may be checkpointed: the parent may ask it to let go of the channel.
                parent.serveDetachRequests();
                applySystemProperties(task.systemProperties());
                parent.send(new Messages.TestStarted());
                parent.send(TaskRunner.run(task));
            } else if (serve) {
                ClassRun.serve(parent, (Messages.RunTest) request);
            } else {
                TestRunner.run((Messages.RunTest) request, parent);
            }
        }
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

    /** The parent's run-time system properties (those the JVM sets itself are not sent). */
    static void applySystemProperties(Map<String, String> properties) {
        properties.forEach(System::setProperty);
    }

    /**
     * Halts when stdin reaches EOF: the parent died (or gave up on this child), nothing is left to
     * report to. The read goes through a {@link FileChannel} so that an orderly exit can close it
     * and signal the reader out of its read: HotSpot waits up to 300 ms at exit for any thread
     * still blocked in native code, which would add that much to every sandbox.
     *
     * @param restoredInto for a template, completed with the first line the parent writes: the
     *                     work dir of the copy restored; otherwise null
     */
    private static void watchLifeline(CompletableFuture<Path> restoredInto) {
        FileChannel stdin = new FileInputStream(FileDescriptor.in).getChannel();
        Thread lifeline = new Thread(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            ByteArrayOutputStream firstLine = new ByteArrayOutputStream();
            try {
                int read;
                while ((read = stdin.read(buffer.clear())) >= 0) {
                    // Past the template's first line, the parent writes nothing; bytes are ignored.
                    for (int i = 0; i < read && restoredInto != null && !restoredInto.isDone(); i++) {
                        byte next = buffer.get(i);
                        if (next == '\n') {
                            restoredInto.complete(Path.of(firstLine.toString(StandardCharsets.UTF_8)));
                        } else {
                            firstLine.write(next);
                        }
                    }
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

}
