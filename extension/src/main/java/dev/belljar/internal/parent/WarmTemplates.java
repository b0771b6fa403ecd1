package dev.belljar.internal.parent;

import dev.belljar.User;
import dev.belljar.internal.channel.Messages;
import dev.belljar.internal.channel.WorkDir;
import dev.belljar.internal.child.SetupStep;
import dev.belljar.linux.criu.Criu;
import dev.belljar.linux.criu.TemplateTrial;
import dev.belljar.linux.host.FileTrees;
import dev.belljar.linux.host.Host;
import dev.belljar.linux.ns.LaunchCommand;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.TreeMap;
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
 * <p>Images are kept for later runs in {@code belljar-templates-<uid>} of the temporary
 * directory, each named by a hash of everything it depends on: the child's launch, the identity
 * (inode, size, modification time) of each file it maps or keeps open from its start-up on (the
 * start-up archive, the class path's jars, the JDK's runtime image), the CRIU and the kernel. A
 * change to any of them names another image; the {@value #KEPT} most recently used are kept.
 */
final class WarmTemplates {
    /** Images kept for later runs: each rebuild of a jar or the archive makes new ones, the old ones go. */
    static final int KEPT = 8;
    private static final String IMAGE_PREFIX = "t-";
    private static final String FILES_SUFFIX = ".files";
    private static final String PARTIAL_INFIX = ".partial-";
    private static final String STDIN_PIPE = "stdin-pipe";
    private static final String TRIAL_PASSED_PREFIX = "trial-passed-";
    private static final String FEATURES_PREFIX = "criu-features-";
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
    private static final String ROOT_NAME = "belljar-templates";

    private final HostSupport host;
    private final boolean enabled;
    private final Map<String, Template> templates = new ConcurrentHashMap<>();
    private final AtomicInteger made = new AtomicInteger();
    private final AtomicInteger reused = new AtomicInteger();
    /** Null until the first restorable test: then CRIU, or {@link #unusable}. */
    private volatile Criu criu;
    private volatile String unusable;

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
        // A sandbox used once starts its child as fast fresh as a template would take to make; one kept from before serves at once.
        // A shared child serves a whole class: its template is made at once, for the children after an OOM kill and later runs.
        int uses = request != null ? template.uses.incrementAndGet() : template.uses.get();
        boolean mayMake = uses >= 2 || plan.serves();
        Optional<SandboxRun.TemplateImage> image = template.image(plan, mayMake);
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
        return Optional.empty();
    }

    /** Whether restoring works on this host; decided once, on the first restorable test. */
    boolean usable() {
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
        try {
            WorkDir.ofThisUser(ROOT_NAME);
            removeLeftovers();
        } catch (IOException e) {
            unusable = "no folder for templates: " + e.getMessage();
            report(unusable);
            return;
        }
        Optional<Path> located = Criu.located();
        Path unshare = host.probe().unshare();
        // What a noted trial and kept kernel features belong to, hashed once: the binaries, the kernel, its boot.
        Optional<String> key = located.flatMap(path -> hostKey(path, unshare));
        if (key.map(WarmTemplates::trialPassedMarker).filter(Files::exists).isPresent()) {
            criu = keepingFeatures(Criu.known(located.get()), unshare, key);
            return;
        }
        Criu.Availability available = host.probe().criu();
        if (available.usable().isEmpty()) {
            unusable = available.unavailable();
            return;
        }
        Optional<String> cannot = TemplateTrial.cannotRestore(available.criu(), unshare);
        if (cannot.isPresent()) {
            unusable = "CRIU " + available.criu().version() + " (" + available.criu().path() + ") cannot restore a trial"
                    + " template here: " + cannot.get();
            report(unusable);
            return;
        }
        key.ifPresent(hostKey -> rememberTrialPassed(available.criu().path(), unshare, hostKey));
        criu = keepingFeatures(available.criu(), unshare, key);
    }

    /**
     * {@code criu} with the kernel features it probes kept beside the templates, for the binaries,
     * kernel and boot of {@code key}: see {@link Criu#withFeaturesKeptIn}.
     */
    private static Criu keepingFeatures(Criu criu, Path unshare, Optional<String> key) {
        return key.map(hostKey -> criu.withFeaturesKeptIn(root().resolve(FEATURES_PREFIX + hostKey), unshare)).orElse(criu);
    }

    /**
     * Where a test JVM notes that CRIU passed {@code criu check} and the trial, run through
     * {@code unshare}, for the binaries, kernel and boot of {@code hostKey}: later test JVMs skip
     * both (about 180 ms) while these are the same. A failed check or trial is not noted: each
     * run tries again, and says why it cannot restore.
     */
    private static Path trialPassedMarker(String hostKey) {
        return root().resolve(TRIAL_PASSED_PREFIX + hostKey);
    }

    /** A hash of the {@code criu} and {@code unshare} binaries, the kernel and its boot; empty where one is unknown. */
    private static Optional<String> hostKey(Path criu, Path unshare) {
        if (unshare == null) {
            return Optional.empty();
        }
        try {
            String identity = identityOf(criu) + "\n" + identityOf(unshare) + "\n" + System.getProperty("os.version")
                    + "\n" + Files.readString(BOOT_ID).strip();
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return Optional.of(HexFormat.of().formatHex(hash).substring(0, 16));
        } catch (IOException | NoSuchAlgorithmException e) {
            return Optional.empty();
        }
    }

    /** A binary's path and {@link Host#identityOf identity}: another build of it is another binary. */
    private static String identityOf(Path binary) throws IOException {
        return binary + " " + Host.identityOf(binary);
    }

    /**
     * The identity of a class directory that holds Belljar's own classes (its own build, an IDE's
     * project): a template has them loaded, so a rebuild of any of them names another template.
     * Walked once per test JVM: a build does not change them while its tests run.
     */
    static String identityOfClassDirectory(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            long[] countNewestBytes = new long[3];
            files.filter(Files::isRegularFile).forEach(file -> {
                try {
                    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                    countNewestBytes[0]++;
                    countNewestBytes[1] = Math.max(countNewestBytes[1], attributes.lastModifiedTime().toMillis());
                    countNewestBytes[2] += attributes.size();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return countNewestBytes[0] + " files, newest " + countNewestBytes[1] + ", " + countNewestBytes[2] + " bytes";
        } catch (IOException | UncheckedIOException e) {
            return "unreadable";
        }
    }

    /**
     * Notes the trial's success, in place of any earlier note and kept kernel features (another
     * CRIU, an earlier boot).
     */
    private static void rememberTrialPassed(Path criu, Path unshare, String key) {
        try (Stream<Path> entries = Files.list(root())) {
            for (Path old : entries.toList()) {
                String name = old.getFileName().toString();
                if (name.endsWith(key)) {
                    continue;  // this host's, which another test JVM may be making now
                }
                if (name.startsWith(TRIAL_PASSED_PREFIX)) {
                    Files.deleteIfExists(old);
                } else if (name.startsWith(FEATURES_PREFIX)) {
                    FileTrees.delete(old);
                }
            }
            Files.writeString(trialPassedMarker(key), criu + " passed criu check and a trial restore through " + unshare + " on Linux "
                    + System.getProperty("os.version") + ", boot " + Files.readString(BOOT_ID).strip() + "\n");
        } catch (IOException e) {
            // the next test JVM runs the trial again
        }
    }

    /** For the run's summary: how children start, once that is decided. */
    Optional<String> describe() {
        if (criu != null) {
            return Optional.of("children restored from warm templates with CRIU " + criu.version() + " (" + criu.path()
                    + criu.keptFeatures().map(folder -> "; the kernel features it probed kept in " + folder
                            + ", as /run is not a tmpfs here").orElse("") + ")"
                    + (made.get() == 0 ? "" : ", " + made.get() + " template" + (made.get() == 1 ? "" : "s") + " made")
                    + (reused.get() == 0 ? "" : ", " + reused.get() + " kept from before"));
        }
        return Optional.ofNullable(unusable).map(reason -> "children start fresh: " + reason);
    }

    /** What makes two children's templates the same: everything of their launch but their work dirs. */
    private static String key(LaunchPlan plan) {
        return String.join("\u0000", plan.templateJvmArgs(plan.sharing().map(ClassDataSharing::jvmFlags).orElse(List.of())))
                + "\u0001" + plan.namespaces(Path.of("unshare")).build(List.of())
                + "\u0001" + plan.steps() + "\u0001" + plan.serves() + "\u0001" + System.getProperty("java.home");
    }

    /** {@link #identityOfClassDirectory} of each class directory, as this test JVM first found it. */
    private static final Map<Path, String> BELLJAR_CLASS_DIRECTORIES = new ConcurrentHashMap<>();

    /**
     * The files a child of {@code plan} maps or keeps open from its start-up on, each with its
     * identity: the start-up archive, the jars of its class path and the JDK's runtime image; and
     * the class directories that hold Belljar's own classes, each with its identity.
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
        Map<Path, String> identities = new HashMap<>();
        for (String entry : plan.classPath().split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (entry.endsWith(".jar")) {
                files.add(path);
            } else if (Files.isDirectory(path.resolve("dev").resolve("belljar"))) {
                identities.put(path, BELLJAR_CLASS_DIRECTORIES.computeIfAbsent(path, WarmTemplates::identityOfClassDirectory));
            }
        }
        files.add(Path.of(System.getProperty("java.home"), "lib", "modules"));
        for (Path file : files) {
            try {
                identities.put(file, Host.identityOf(file));
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

    /** This user's folder of templates, once {@link #decide} found it trustworthy. */
    private static Path root() {
        return WorkDir.pathOfThisUser(ROOT_NAME);
    }

    /** Removes images half made by test JVMs that have ended (killed while they made them). */
    private static void removeLeftovers() throws IOException {
        try (Stream<Path> entries = Files.list(root())) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                int partial = name.indexOf(PARTIAL_INFIX);
                if (partial > 0 && !alive(name.substring(partial + PARTIAL_INFIX.length()))) {
                    FileTrees.delete(entry);
                }
            }
        }
    }

    /** Whether the JVM named {@code pid-startMillis-...} still runs. */
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

    /** The name of the image of {@code plan}'s child with the CRIU here: a hash of all it depends on. */
    private String imageName(LaunchPlan plan) {
        StringBuilder all = new StringBuilder(key(plan)).append('\u0001').append(criu.path()).append(' ')
                .append(criu.version()).append(' ').append(System.getProperty("os.version"));
        new TreeMap<>(filesOf(plan)).forEach((file, identity) -> all.append('\u0001').append(file).append(' ').append(identity));
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(all.toString().getBytes(StandardCharsets.UTF_8));
            return IMAGE_PREFIX + HexFormat.of().formatHex(hash).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** An image made before, by this or another test JVM; null where there is none (complete). */
    private static SandboxRun.TemplateImage load(Path image) {
        try {
            String stdinPipe = Files.readString(image.resolve(STDIN_PIPE));
            Files.setLastModifiedTime(image, FileTime.fromMillis(System.currentTimeMillis()));
            return new SandboxRun.TemplateImage(image.resolve("images"), filesOf(image), stdinPipe);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The files a template's init opened: beside its image, at a path that stays (a restore finds
     * them by the path they had when the image was made).
     */
    private static LaunchCommand.InitFiles filesOf(Path image) {
        Path files = image.resolveSibling(image.getFileName() + FILES_SUFFIX);
        return new LaunchCommand.InitFiles(files.resolve("stdout"), files.resolve("stderr"), files.resolve("exit-status"));
    }

    /** Makes the image {@code image} of {@code plan}'s child: beside it first, then renamed into place. */
    private SandboxRun.TemplateImage make(LaunchPlan plan, Path image) throws SandboxRun.RestoreFailedException,
            InterruptedException {
        ProcessHandle self = ProcessHandle.current();
        Path partial = image.resolveSibling(image.getFileName() + PARTIAL_INFIX + self.pid() + "-"
                + self.info().startInstant().map(start -> Long.toString(start.toEpochMilli())).orElse("0") + "-"
                + made.incrementAndGet());
        try {
            Files.createDirectories(filesOf(image).stdout().getParent());
            String stdinPipe = SandboxRun.makeTemplate(host, plan, criu, partial.resolve("images"), filesOf(image));
            Files.writeString(partial.resolve(STDIN_PIPE), stdinPipe);
            try {
                // Atomic: another test JVM may make the same image at the same time; either one serves.
                Files.move(partial, image, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException madeMeanwhile) {
                FileTrees.delete(partial);
            }
            prune();
            SandboxRun.TemplateImage made = load(image);
            if (made == null) {
                throw new SandboxRun.RestoreFailedException("the image " + image + " went while it was made");
            }
            return made;
        } catch (IOException e) {
            throw new SandboxRun.RestoreFailedException("cannot keep a template's image in " + image + ": " + e.getMessage());
        } finally {
            try {
                FileTrees.delete(partial);
            } catch (IOException ignored) {
                // a leftover the next run removes
            }
        }
    }

    /** Removes all but the {@value #KEPT} most recently used images. */
    private static void prune() {
        try (Stream<Path> entries = Files.list(root())) {
            List<Path> images = entries.filter(entry -> entry.getFileName().toString().matches(IMAGE_PREFIX + "[0-9a-f]+"))
                    .sorted(Comparator.comparing(ClassDataSharing::lastModified).reversed())
                    .toList();
            for (Path old : images.subList(Math.min(KEPT, images.size()), images.size())) {
                discard(old);
            }
        } catch (IOException | UncheckedIOException e) {
            // pruning only saves disk space
        }
    }

    /** Removes an image and its files; a restore from it under way has read what it needs, or fails and is reported. */
    private static void discard(Path image) {
        try {
            FileTrees.delete(image);
            FileTrees.delete(filesOf(image).stdout().getParent());
        } catch (IOException | UncheckedIOException e) {
            // another user's, or gone meanwhile
        }
    }


    /** One way of launching a child: its image, kept from before or made on its second use, or why there is none. */
    private final class Template {
        /** Tests that asked for a child of this template: it is made for the second. */
        final AtomicInteger uses = new AtomicInteger();
        private SandboxRun.TemplateImage image;
        private Path imageDir;
        private String failed;

        /**
         * The image: the one in use while nothing it depends on changed, else one kept from
         * before, else, where {@code mayMake}, one made now. A copy from an image whose files
         * changed (a start-up archive that a parallel test JVM replaced, a rebuilt jar) would find
         * other contents than its memory expects: such a change names another image.
         */
        synchronized Optional<SandboxRun.TemplateImage> image(LaunchPlan plan, boolean mayMake) throws InterruptedException {
            if (failed != null) {
                return Optional.empty();
            }
            Path dir = root().resolve(imageName(plan));
            if (image != null && dir.equals(imageDir)) {
                return Optional.of(image);
            }
            image = load(dir);
            imageDir = dir;
            if (image != null) {
                reused.incrementAndGet();
            } else if (mayMake) {
                try {
                    image = make(plan, dir);
                } catch (SandboxRun.RestoreFailedException e) {
                    fail("a template could not be made, its tests start fresh children: " + e.getMessage());
                }
            }
            return Optional.ofNullable(image);
        }

        /** Reports the failure once; the image goes, so that a later run makes it again. */
        synchronized void fail(String reason) {
            if (failed == null) {
                failed = reason;
                image = null;
                if (imageDir != null) {
                    discard(imageDir);
                }
                report(reason);
            }
        }
    }
}
