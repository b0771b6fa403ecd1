package dev.belljar.internal;

import dev.belljar.linux.cgroup.Cgroup;
import dev.belljar.linux.cgroup.CgroupStats;
import dev.belljar.linux.ns.LaunchCommand;
import dev.belljar.spec.SandboxSpec;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One child JVM in one sandbox, from cgroup creation to removal. Whatever happens (failure,
 * timeout, interruption, the parent JVM shutting down) the sandbox's processes are killed and its
 * cgroup and work dir removed.
 */
final class SandboxRun implements AutoCloseable {
    private static final Set<SandboxRun> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> List.copyOf(LIVE).forEach(SandboxRun::close),
                "belljar-sandbox-cleanup"));
    }

    private final Cgroup cgroup;
    private final Path workDir;
    private Process process;
    private ChannelPipes pipes;
    private ChannelReader reader;
    private Thread readerThread;
    private Timeline timeline;
    private dev.belljar.linux.cgroup.OomWatch oomWatch;
    private long startNanos;
    private boolean closed;
    /** Where the last checkpoint went, while the sandbox's processes exist only there. */
    private Path checkpointedTo;
    /** The checkpointed tree's stdin (the lifeline), which the restore replaces with a new pipe. */
    private String stdinPipeOfCheckpoint;
    private boolean restored;
    /** The child runs as nobody: the pipes it connects to must be open to it. */
    private boolean childIsNobody;

    private SandboxRun(Cgroup cgroup, Path workDir) {
        this.cgroup = cgroup;
        this.workDir = workDir;
    }

    /**
     * Runs the test or task {@code request} names in a sandbox built from {@code spec}, with a child
     * that may have been started ahead ({@link HostSupport#startChild}); blocks until the child is gone.
     */
    static ChildReport run(HostSupport host, SandboxSpec spec, Messages.Request request, Duration timeout,
                           boolean prestart) throws InterruptedException {
        try (SandboxRun run = host.startChild(spec, request, prestart)) {
            return run.awaitReport(timeout);
        }
    }

    /** Starts the child of a new sandbox and sends it {@code request}; the caller owns the run and must close it. */
    static SandboxRun start(HostSupport host, SandboxSpec spec, Messages.Request request) throws InterruptedException {
        SandboxRun run = prestart(host, spec, false);
        run.submit(request);
        return run;
    }

    /**
     * Starts the child of a new sandbox that waits for its request: its JVM start-up (and, with
     * {@code warmUp}, the JUnit launcher's) overlaps with whatever runs now.
     */
    static SandboxRun prestart(HostSupport host, SandboxSpec spec, boolean warmUp) throws InterruptedException {
        Cgroup cgroup = host.createCgroup();
        SandboxRun run;
        try {
            Path workDir = Files.createDirectory(Path.of(System.getProperty("java.io.tmpdir"), cgroup.name()),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            run = new SandboxRun(cgroup, workDir);
        } catch (IOException | RuntimeException e) {
            cgroup.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        try {
            run.launch(host, spec, warmUp);
            return run;
        } catch (IOException e) {
            run.close();
            throw new UncheckedIOException("cannot start the child JVM of sandbox " + cgroup.name(), e);
        } catch (RuntimeException | InterruptedException e) {
            run.close();
            throw e;
        }
    }

    private void launch(HostSupport host, SandboxSpec spec, boolean warmUp) throws IOException, InterruptedException {
        LIVE.add(this);
        cgroup.apply(HostSupport.limitsOf(spec));
        List<String> argv = new LaunchCommand(host.unshare())
                .joinCgroup(cgroup.procsFiles())
                .pidNamespace(spec.pidNamespace())
                .netNamespace(spec.net() != dev.belljar.Net.HOST)
                .userNamespaceAsRoot(spec.user() == dev.belljar.User.ROOT)
                .cgroupNamespace(spec.cgroupNamespace())
                .timeNamespace(spec.uptime().map(java.time.Duration::getSeconds).orElse(0L))
                .exitStatusFile(exitStatusFile())
                .build(ChildJvm.command(spec, workDir, host.classDataSharing(), warmUp));
        childIsNobody = spec.user() == dev.belljar.User.NOBODY;
        // Closed once the child is gone: that ends a reader still waiting in accept().
        pipes = ChannelPipes.make(workDir, childIsNobody);
        if (childIsNobody) {
            handOverToNobody();
        }
        synchronized (this) {
            if (closed) {
                throw new InterruptedException("the JVM is shutting down");
            }
            process = new ProcessBuilder(argv)
                    .redirectOutput(stdoutFile().toFile())
                    .redirectError(workDir.resolve("stderr").toFile())
                    .start();
        }
        reader = new ChannelReader(pipes, cgroup);
        readerThread = new Thread(reader, "belljar-channel-" + cgroup.name());
        readerThread.setDaemon(true);
        readerThread.start();
    }

    /** Whether the child still runs and waits: a pre-started child that died is of no use. */
    boolean isWaiting() {
        return process.isAlive() && !reader.request.isDone();
    }

    /** Sends the child its test or task; wall time, timeout and timeline count from here. */
    void submit(Messages.Request request) {
        startNanos = System.nanoTime();
        timeline = Timeline.start(cgroup, startNanos);
        oomWatch = watchOomKills(timeline);
        reader.request.complete(request);
    }

    /** Marks each OOM kill on the timeline when the kernel reports it; without a watch the sampler still sees it. */
    private dev.belljar.linux.cgroup.OomWatch watchOomKills(Timeline marks) {
        try {
            return cgroup.watchOomKills(kills -> {
                try {
                    marks.sampleNow();
                } catch (dev.belljar.linux.cgroup.CgroupException e) {
                    // the sandbox is being removed
                }
            });
        } catch (RuntimeException e) {
            return null;
        }
    }

    Cgroup cgroup() {
        return cgroup;
    }

    Process process() {
        return process;
    }

    /** What the child wrote to stdout so far. */
    Path stdoutFile() {
        return workDir.resolve("stdout");
    }

    Path stderrFile() {
        return workDir.resolve("stderr");
    }

    private Path exitStatusFile() {
        return workDir.resolve("exit-status");
    }

    /**
     * Checkpoints the sandbox's processes with CRIU into {@code images} and removes them from the
     * sandbox; the cgroup, its limits and the work dir stay for {@link #restore}. The child first
     * lets go of its channel (CRIU cannot dump one end of a connection) and takes it up again
     * after the restore.
     */
    synchronized void checkpoint(dev.belljar.linux.criu.Criu criu, Path images) throws InterruptedException {
        if (closed || checkpointedTo != null || !process.isAlive()) {
            throw new IllegalStateException(closed ? "the sandbox was closed" : checkpointedTo != null
                    ? "the sandbox is already checkpointed to " + checkpointedTo : "the sandbox's process has ended");
        }
        long root = initPid();
        String stdinPipe = stdinOf(root);
        try {
            Files.createDirectories(images);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the checkpoint directory " + images, e);
        }
        try {
            detachChannel();
        } catch (UncheckedIOException e) {
            rebindChannel();
            throw new dev.belljar.CheckpointException("the child did not let go of its channel: " + e.getMessage(), e);
        }
        try {
            criu.dump(root, images);
        } catch (dev.belljar.linux.criu.CheckpointFailedException e) {
            // The tree runs on (CRIU resumes it on failure); it reconnects once the pipes are back.
            rebindChannel();
            throw new dev.belljar.CheckpointException(e.getMessage(), e);
        }
        cgroup.killAll();
        process.waitFor();
        checkpointedTo = images;
        stdinPipeOfCheckpoint = stdinPipe;
    }

    /** Starts the checkpointed processes again, in this sandbox, from where they were. */
    synchronized void restore(dev.belljar.linux.criu.Criu criu) throws InterruptedException {
        if (closed || checkpointedTo == null) {
            throw new IllegalStateException(closed ? "the sandbox was closed" : "the sandbox has no checkpoint to restore");
        }
        Path images = checkpointedTo;
        rebindChannel();
        List<String> argv = LaunchCommand.inCgroup(cgroup.procsFiles(), criu.restoreCommand(images, stdinPipeOfCheckpoint));
        try {
            process = new ProcessBuilder(argv)
                    .redirectOutput(workDir.resolve("criu-restore.out").toFile())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start criu restore for sandbox " + cgroup.name(), e);
        }
        // Restored: the child connects again; until then (or if the restore fails) nothing arrives.
        if (!reader.awaitConnected(process, TimeUnit.MINUTES.toMillis(3))) {
            boolean running = process.isAlive();
            cgroup.killAll();
            process.waitFor();
            String output;
            try {
                output = Files.readString(workDir.resolve("criu-restore.out"));
            } catch (IOException e) {
                output = "";
            }
            throw new dev.belljar.CheckpointException("criu restore of " + images + (running
                    ? " ran for 3 min but the child did not connect to the parent again: "
                    : " failed (exit status " + process.exitValue() + "): ")
                    + dev.belljar.linux.criu.Criu.restoreErrors(images, output), null);
        }
        checkpointedTo = null;
        restored = true;
    }

    /**
     * Has the child let go of its channel and makes sure it cannot connect again until
     * {@link #rebindChannel}: messages it sends meanwhile wait in the child.
     */
    void detachChannel() {
        try {
            // Unreachable first: the child starts to reconnect the moment it let go.
            pipes.close();
            reader.detach();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot detach the channel of sandbox " + cgroup.name(), e);
        }
    }

    /** Makes the pipes for the detached child again; it connects within its reconnect interval. */
    void rebindChannel() {
        try {
            pipes = ChannelPipes.make(workDir, childIsNobody);
            reader.reattachTo(pipes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for the child of sandbox " + cgroup.name() + " again", e);
        }
    }

    /** Waits until the child connected and received its request. */
    void awaitConnected() throws InterruptedException {
        if (!reader.awaitConnected(process, TimeUnit.MINUTES.toMillis(3))) {
            throw new IllegalStateException("the child of sandbox " + cgroup.name() + " did not connect");
        }
    }

    /** Whether the processes now exist only in a checkpoint. */
    synchronized boolean isCheckpointed() {
        return checkpointedTo != null;
    }

    /** The init of the sandbox's PID namespace: the root of the tree a checkpoint dumps. */
    private long initPid() {
        Path children = Path.of("/proc", Long.toString(process.pid()), "task", Long.toString(process.pid()), "children");
        try {
            String pids = Files.readString(children).strip();
            if (pids.isEmpty()) {
                throw new IllegalStateException("the sandbox's init is gone");
            }
            return Long.parseLong(pids.split("\\s+")[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find the init of sandbox " + cgroup.name(), e);
        }
    }

    private static String stdinOf(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", "0")).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stdin of process " + pid, e);
        }
    }

    /** Waits for the child to end (killing the sandbox at {@code timeout}) and collects what happened. */
    ChildReport awaitReport(Duration timeout) throws InterruptedException {
        if (isCheckpointed()) {
            throw new IllegalStateException("the sandbox is checkpointed to " + checkpointedTo + ": restore() it first");
        }
        boolean timedOut = !process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (timedOut) {
            cgroup.killAll();
            process.waitFor();
        }
        long wallTime = System.nanoTime() - startNanos;
        if (oomWatch != null) {
            oomWatch.close();
        }
        timeline.close();
        try {
            pipes.close();
            readerThread.join(TimeUnit.SECONDS.toMillis(5));
            CgroupStats stats = cgroup.stats();
            return new ChildReport(restored ? restoredExitStatus() : process.exitValue(), reader.orderlyExit,
                    timedOut, wallTime, reader.finished, List.copyOf(reader.containerFailures), reader.cannotRun,
                    List.copyOf(reader.reportEntries), reader.baseline, stats, timeline.encode(),
                    Files.readAllBytes(stdoutFile()), Files.readAllBytes(stderrFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot collect what the child of sandbox " + cgroup.name() + " left", e);
        }
    }

    /** CRIU does not pass a restored tree's exit status on; the sandbox's init wrote it down. */
    private int restoredExitStatus() {
        try {
            return Integer.parseInt(Files.readString(exitStatusFile()).strip());
        } catch (IOException | NumberFormatException e) {
            return process.exitValue();
        }
    }

    /**
     * The child, as nobody, opens the pipes again after a restore and writes its exit marker: the
     * work dir must be open to it.
     */
    private void handOverToNobody() throws IOException {
        java.nio.file.attribute.UserPrincipalLookupService users = workDir.getFileSystem().getUserPrincipalLookupService();
        java.nio.file.attribute.PosixFileAttributeView dir = Files.getFileAttributeView(workDir,
                java.nio.file.attribute.PosixFileAttributeView.class);
        dir.setOwner(users.lookupPrincipalByName(Integer.toString(ChildMain.NOBODY)));
        dir.setGroup(users.lookupPrincipalByGroupName(Integer.toString(ChildMain.NOBODY)));
    }

    /** Kills everything in the sandbox, removes its cgroup and work dir. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            if (process != null) {
                process.getOutputStream().close();
            }
            if (pipes != null) {
                pipes.close();
            }
        } catch (IOException ignored) {
            // the lifeline and the channel are closed either way
        }
        if (oomWatch != null) {
            oomWatch.close();
        }
        if (timeline != null) {
            timeline.close();
        }
        if (reader != null) {
            reader.request.cancel(false);
            reader.abandon();
        }
        try {
            cgroup.close();
        } finally {
            deleteRecursively(workDir);
            LIVE.remove(this);
        }
    }

    /** Removes a child's work dir with all it holds: a sandbox's, or a training run's. */
    static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the work dir " + dir, e);
        }
    }

    /**
     * Accepts the child's connection, sends the test to run, collects what the child reports. For a
     * checkpoint it lets the child go and, after the restore, accepts it again on new pipes.
     */
    private static final class ChannelReader implements Runnable {
        private ChannelPipes pipes;
        private final java.util.concurrent.CompletableFuture<Messages.Request> request =
                new java.util.concurrent.CompletableFuture<>();
        private final Cgroup cgroup;
        private final List<Messages.ContainerFailed> containerFailures = Collections.synchronizedList(new ArrayList<>());
        private final List<Map<String, String>> reportEntries = Collections.synchronizedList(new ArrayList<>());
        private volatile Messages.Finished finished;
        private volatile Messages.CannotRun cannotRun;
        private volatile CgroupStats baseline;
        private volatile boolean orderlyExit;
        private DataOutputStream out;
        /** Set while a checkpoint is in progress: the reader waits for the next pipes instead of ending. */
        private boolean detaching;
        private boolean connected;

        ChannelReader(ChannelPipes pipes, Cgroup cgroup) {
            this.pipes = pipes;
            this.cgroup = cgroup;
        }

        @Override
        public void run() {
            boolean first = true;
            ChannelPipes current = pipes;
            while (current != null) {
                try (ChannelPipes.Connection connection = current.accept()) {
                    DataOutputStream toChild = new DataOutputStream(new BufferedOutputStream(connection.output()));
                    if (first) {
                        Messages.send(toChild, request.get());
                        first = false;
                    }
                    synchronized (this) {
                        out = toChild;
                        connected = true;
                        notifyAll();
                    }
                    readMessages(new DataInputStream(new BufferedInputStream(connection.input())));
                } catch (IOException | RuntimeException | java.util.concurrent.ExecutionException e) {
                    // EOF or closed pipes: the child is gone, or let go for a checkpoint
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                current = nextPipes();
            }
        }

        /** After the connection ended: the pipes of the restore while a checkpoint is in progress, else none. */
        private synchronized ChannelPipes nextPipes() {
            connected = false;
            out = null;
            notifyAll();
            while (detaching && pipes == null) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            ChannelPipes next = detaching ? pipes : null;
            detaching = false;
            return next;
        }

        /** Asks the child to let go of the channel and waits until it did. */
        synchronized void detach() throws IOException {
            if (!connected) {
                throw new IOException("the child is not connected");
            }
            detaching = true;
            pipes = null;
            Messages.send(out, new Messages.Detach());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (connected) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("the child did not let go of its channel within 30 s");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while the child let go of its channel", e);
                }
            }
        }

        /** The sandbox is removed: a reader waiting for a restore ends. */
        synchronized void abandon() {
            detaching = false;
            notifyAll();
        }

        /** The pipes the child reconnects to after a restore (or after a failed checkpoint). */
        synchronized void reattachTo(ChannelPipes next) {
            pipes = next;
            notifyAll();
        }

        /** Waits until the child is connected (again), or {@code child} ended first (e.g. the restore failed). */
        synchronized boolean awaitConnected(Process child, long timeoutMillis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + timeoutMillis;
            while (!connected && child.isAlive() && System.currentTimeMillis() < deadline) {
                wait(50);
            }
            return connected;
        }

        private void readMessages(DataInputStream in) throws IOException {
            while (true) {
                Object message = Messages.receive(in);
                if (message instanceof Messages.TestStarted) {
                    baseline = cgroup.stats();
                } else if (message instanceof Messages.Finished m) {
                    finished = m;
                } else if (message instanceof Messages.ContainerFailed m) {
                    containerFailures.add(m);
                } else if (message instanceof Messages.CannotRun m) {
                    cannotRun = m;
                } else if (message instanceof Messages.ReportEntry m) {
                    reportEntries.add(m.values());
                } else if (message instanceof Messages.Exiting) {
                    orderlyExit = true;
                }
            }
        }
    }
}
