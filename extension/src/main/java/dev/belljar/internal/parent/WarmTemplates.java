package dev.belljar.internal.parent;

import dev.belljar.Reuse;
import dev.belljar.User;
import dev.belljar.internal.channel.Messages;
import dev.belljar.internal.channel.WorkDir;
import dev.belljar.internal.child.SetupStep;
import dev.belljar.linux.criu.Criu;
import dev.belljar.linux.criu.TemplateTrial;
import dev.belljar.linux.host.FileTrees;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Children restored with CRIU from warm templates: for each way of launching a child (its
 * namespaces, set-up, JVM flags, class path and JDK) one child is started, warmed up and dumped
 * before it ever gets a test; each test then gets a copy restored from that image into its own
 * fresh cgroup, which carries the test's limits before the restore begins. The template is made
 * when a second test asks for it: a sandbox used once starts its child fresh.
 *
 * <p>Used where the test JVM is root, CRIU passes {@code criu check} and a trial
 * ({@link TemplateTrial}) on this kernel, and {@code belljar.child.restore} is not {@code false}; only for
 * isolated tests whose sandbox a restore brings back as a fresh child would be (see
 * {@link #whyNotRestored}). A template that cannot be made, or a restore that fails, is reported
 * once and its tests start fresh children: a restore never fails a test.
 *
 * <p>Images belong to the test JVM that made them: they live in {@code belljar-templates-<uid>}
 * of the temporary directory, in a folder named after that JVM, removed when it ends and, should
 * it be killed, by the next run.
 */
final class WarmTemplates implements AutoCloseable {
    private static final String RUN_PREFIX = "run-";

    private final HostSupport host;
    private final boolean enabled;
    private final Map<String, Template> templates = new ConcurrentHashMap<>();
    private final AtomicInteger made = new AtomicInteger();
    /** Null until the first restorable test: then CRIU, or {@link #unusable}. */
    private volatile Criu criu;
    private volatile String unusable;
    private Path runDir;

    WarmTemplates(HostSupport host, boolean enabled) {
        this.host = host;
        this.enabled = enabled;
    }

    /**
     * Starts the child for {@code request} restored from its template, made now on its first use;
     * empty where this sandbox or this host cannot have one, or the restore failed (reported once).
     */
    Optional<SandboxRun> start(LaunchPlan plan, Messages.Request request) throws InterruptedException {
        if (!(request instanceof Messages.RunTest)) {
            return Optional.empty();
        }
        return restore(plan, request);
    }

    /**
     * A child for a later isolated test of {@code plan}'s sandbox, restored now and waiting for its
     * test; empty as for {@link #start}.
     */
    Optional<SandboxRun> prestart(LaunchPlan plan) throws InterruptedException {
        return restore(plan, null);
    }

    private Optional<SandboxRun> restore(LaunchPlan plan, Messages.Request request) throws InterruptedException {
        if (whyNotRestored(plan).isPresent() || !usable()) {
            return Optional.empty();
        }
        Template template = templates.computeIfAbsent(key(plan), key -> new Template());
        if (request != null ? template.uses.incrementAndGet() < 2 : template.uses.get() < 2) {
            // A sandbox used once starts its child as fast fresh as a template would take to make.
            return Optional.empty();
        }
        Optional<SandboxRun.TemplateImage> image = template.image(plan);
        if (image.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(SandboxRun.restore(host, plan, criu, image.get(), request));
        } catch (SandboxRun.RestoreFailedException e) {
            template.fail("a restore failed, its tests start fresh children: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** Why a child of {@code plan}'s sandbox is not restored from a template, even where CRIU works. */
    static Optional<String> whyNotRestored(LaunchPlan plan) {
        if (plan.rootless()) {
            return Optional.of("restoring needs root");
        }
        if (!plan.spec().pidNamespace()) {
            return Optional.of("pid = false: a template is the tree of a PID namespace's init");
        }
        if (plan.spec().user() == User.ROOT || plan.spec().cgroupNamespace() || plan.spec().uptime().isPresent()) {
            return Optional.of("user, cgroup and time namespaces are not restored from templates");
        }
        if (plan.spec().pids().isPresent()) {
            return Optional.of("a pids limit: the CRIU process that restores a child stays in its cgroup, one process more");
        }
        if (!SetupStep.restorable(plan.steps())) {
            return Optional.of("hostPorts and netFaults are set up in each child for itself");
        }
        if (plan.spec().reuse() == Reuse.CLASS) {
            return Optional.of("reuse = CLASS: the tests share one child");
        }
        return Optional.empty();
    }

    /** Whether restoring works on this host; decided once, on the first restorable test. */
    private boolean usable() {
        if (criu == null && unusable == null) {
            synchronized (this) {
                if (criu == null && unusable == null) {
                    decide();
                }
            }
        }
        return criu != null;
    }

    private void decide() {
        if (!enabled) {
            unusable = "belljar.child.restore=false";
            return;
        }
        Criu.Availability available = host.probe().criu();
        if (available.usable().isEmpty()) {
            unusable = available.unavailable();
            return;
        }
        Optional<String> cannot = TemplateTrial.cannotRestore(available.criu(), host.probe().unshare());
        if (cannot.isPresent()) {
            unusable = "CRIU " + available.criu().version() + " (" + available.criu().path() + ") cannot restore a trial"
                    + " template here: " + cannot.get();
            report(unusable);
            return;
        }
        try {
            removeLeftovers();
            runDir = Files.createDirectories(root().resolve(RUN_PREFIX + ProcessHandle.current().pid() + "-"
                    + ProcessHandle.current().info().startInstant().map(i -> Long.toString(i.toEpochMilli())).orElse("0")));
        } catch (IOException e) {
            unusable = "cannot make a folder for templates in " + root() + ": " + e.getMessage();
            report(unusable);
            return;
        }
        criu = available.criu();
    }

    /** For the run's summary: how children start, once that is decided. */
    Optional<String> describe() {
        if (criu != null) {
            return Optional.of("children restored from warm templates with CRIU " + criu.version() + " (" + criu.path() + ")"
                    + (made.get() == 0 ? "" : ", " + made.get() + " template" + (made.get() == 1 ? "" : "s")));
        }
        return Optional.ofNullable(unusable).map(reason -> "children start fresh: " + reason);
    }

    /** What makes two children's templates the same: everything of their launch but their work dirs. */
    private static String key(LaunchPlan plan) {
        return String.join("\u0000", plan.jvmArgs(plan.sharing().map(ClassDataSharing::jvmFlags).orElse(List.of())))
                + "\u0001" + plan.namespaces(Path.of("unshare")).build(List.of())
                + "\u0001" + plan.steps() + "\u0001" + System.getProperty("java.home");
    }

    /**
     * The files a child of {@code plan} maps or keeps open from its start-up on, each with its
     * identity: the start-up archive, the jars of its class path and the JDK's runtime image.
     */
    private static Map<Path, String> filesOf(LaunchPlan plan) {
        List<Path> files = new ArrayList<>();
        for (String arg : plan.jvmArgs(plan.sharing().map(ClassDataSharing::jvmFlags).orElse(List.of()))) {
            for (String flag : List.of("-XX:SharedArchiveFile=", "-XX:AOTCache=")) {
                if (arg.startsWith(flag)) {
                    files.add(Path.of(arg.substring(flag.length())));
                }
            }
        }
        for (String entry : plan.classPath().split(File.pathSeparator)) {
            if (entry.endsWith(".jar")) {
                files.add(Path.of(entry));
            }
        }
        files.add(Path.of(System.getProperty("java.home"), "lib", "modules"));
        Map<Path, String> identities = new HashMap<>();
        for (Path file : files) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                identities.put(file, attributes.fileKey() + " " + attributes.size() + " " + attributes.lastModifiedTime().toMillis());
            } catch (IOException e) {
                identities.put(file, "absent");
            }
        }
        return identities;
    }

    /** Reports a failure once, on the test JVM's stderr: it costs speed, never a result. */
    private static void report(String failure) {
        System.err.println("[belljar] " + failure);
    }

    private static Path root() {
        return WorkDir.ofThisUser("belljar-templates");
    }

    /** Removes the templates of test JVMs that have ended (killed before they could). */
    private static void removeLeftovers() throws IOException {
        Path root = root();
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> runs = Files.list(root)) {
            for (Path run : runs.toList()) {
                String name = run.getFileName().toString();
                if (name.startsWith(RUN_PREFIX) && !alive(name.substring(RUN_PREFIX.length()))) {
                    FileTrees.delete(run);
                }
            }
        }
    }

    /** Whether the JVM named {@code pid-startMillis} still runs. */
    private static boolean alive(String pidAndStart) {
        String[] parts = pidAndStart.split("-");
        try {
            return ProcessHandle.of(Long.parseLong(parts[0]))
                    .flatMap(process -> process.info().startInstant())
                    .map(start -> parts.length > 1 && Long.toString(start.toEpochMilli()).equals(parts[1]))
                    .orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Removes this run's templates. */
    @Override
    public void close() {
        if (runDir != null) {
            try {
                FileTrees.delete(runDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove the templates in " + runDir, e);
            }
        }
    }

    /** One way of launching a child: its image, made on first use, or why there is none. */
    private final class Template {
        /** Tests that asked for a child of this template: it is made for the second. */
        final AtomicInteger uses = new AtomicInteger();
        private SandboxRun.TemplateImage image;
        /** The files the image maps or holds open, as they were when it was made. */
        private Map<Path, String> files;
        private String failed;

        /**
         * The image, made now if there is none yet. One whose files changed since (a start-up
         * archive that a parallel test JVM replaced, a rebuilt jar) is made again: a copy would find
         * other contents than its memory expects.
         */
        synchronized Optional<SandboxRun.TemplateImage> image(LaunchPlan plan) throws InterruptedException {
            Map<Path, String> now = filesOf(plan);
            if (image != null && !now.equals(files)) {
                image = null;
            }
            if (image == null && failed == null) {
                files = now;
                try {
                    image = SandboxRun.makeTemplate(host, plan, criu, runDir.resolve(Integer.toString(made.incrementAndGet())));
                } catch (SandboxRun.RestoreFailedException e) {
                    fail("a template could not be made, its tests start fresh children: " + e.getMessage());
                }
            }
            return Optional.ofNullable(image);
        }

        synchronized void fail(String reason) {
            if (failed == null) {
                failed = reason;
                image = null;
                report(reason);
            }
        }
    }
}
