package dev.belljar.internal.parent;
import dev.belljar.internal.channel.WorkDir;
import dev.belljar.internal.child.ChildMain;
import dev.belljar.internal.child.Training;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A class-data-sharing archive of what every child loads, created once per class path and JDK and
 * reused by every child: it halves a child's start-up and its memory is shared between children.
 *
 * <p>A dynamic archive can only hold classes from jars, and the class path it was made with must
 * be a prefix of the one it is used with. So the child's class path starts with the jars of
 * JUnit, Belljar and their dependencies (the "infrastructure"), then repeats the test JVM's class
 * path in its order. Only those jars come first; test classes cannot shadow classes in them.
 * Where Belljar itself is not in a jar (Belljar's own build), there is nothing to train with and
 * children start without an archive.
 *
 * <p>On JDK 25 and later the archive is an AOT cache instead (JEP 483, 514, 515): its classes
 * come already linked (lambda call sites included) and its methods with profiles, so a child needs
 * less CPU than on JDK 17 (the guide's "Speed" has this build's figures). It follows the same class
 * path rules.
 */
final class ClassDataSharing {
    /** A class from each jar every child loads: Belljar, JUnit's launcher and Jupiter engine, their dependencies. */
    private static final List<String> INFRASTRUCTURE_ANCHORS = List.of(
            "dev.belljar.internal.child.ChildMain", "dev.belljar.linux.libc.Syscalls", "com.sun.jna.Native",
            "org.yaml.snakeyaml.Yaml", "org.junit.platform.launcher.core.LauncherFactory",
            "org.junit.platform.engine.TestEngine", "org.junit.platform.commons.util.ReflectionUtils",
            "org.junit.jupiter.engine.JupiterTestEngine", "org.junit.jupiter.api.Test",
            "org.junit.jupiter.params.ParameterizedTest", "org.opentest4j.AssertionFailedError",
            "org.apiguardian.api.API");
    /** Without these in jars there is nothing to train with. */
    private static final Set<String> REQUIRED_ANCHORS = Set.of("dev.belljar.internal.child.ChildMain",
            "org.junit.platform.launcher.core.LauncherFactory", "org.junit.jupiter.engine.JupiterTestEngine");
    private static final Object TRAINING_LOCK = new Object();
    private static final long TRAINING_TIMEOUT_SECONDS = 120;
    /** Archives kept beside a new one: each rebuild of a jar makes a new archive, the old ones go. */
    static final int ARCHIVES_KEPT = 8;
    /** Beside each archive, a file whose modification time says when the archive was last used. */
    static final String USED_SUFFIX = ".used";
    /** Whether children get an AOT cache rather than a dynamic CDS archive. */
    static final boolean AOT_CACHE = Runtime.version().feature() >= 25;

    private final List<Path> infrastructureJars;
    private final List<String> childJvmFlags;
    private final Path archive;
    private volatile boolean trainingFailed;
    private volatile boolean markedUsed;

    private ClassDataSharing(List<Path> infrastructureJars, List<String> childJvmFlags, Path archive) {
        this.infrastructureJars = infrastructureJars;
        this.childJvmFlags = childJvmFlags;
        this.archive = archive;
    }

    /** For this JVM's class path and the child's JVM flags; empty when the infrastructure is not all in jars. */
    static Optional<ClassDataSharing> forChildren(List<String> childJvmFlags) {
        Set<Path> jars = new LinkedHashSet<>();
        for (String anchor : INFRASTRUCTURE_ANCHORS) {
            Optional<Path> jar = jarOf(anchor);
            if (jar.isEmpty() && REQUIRED_ANCHORS.contains(anchor)) {
                return Optional.empty();
            }
            jar.ifPresent(jars::add);
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((System.getProperty("java.home") + '\n' + System.getProperty("java.vm.version") + '\n'
                    + String.join(" ", childJvmFlags) + '\n').getBytes(StandardCharsets.UTF_8));
            for (Path jar : jars) {
                digest.update((jar + " " + Files.size(jar) + " " + Files.getLastModifiedTime(jar).toMillis() + '\n')
                        .getBytes(StandardCharsets.UTF_8));
            }
            String key = HexFormat.of().formatHex(digest.digest()).substring(0, 16);
            return WorkDir.ofThisUserOrWithout("belljar-cds", "children start without a start-up archive")
                    .map(dir -> new ClassDataSharing(List.copyOf(jars), List.copyOf(childJvmFlags),
                            dir.resolve("child-" + key + (AOT_CACHE ? ".aot" : ".jsa"))));
        } catch (IOException | NoSuchAlgorithmException e) {
            return Optional.empty();
        }
    }

    private static Optional<Path> jarOf(String className) {
        return ChildJvm.locationOf(className)
                .filter(path -> Files.isRegularFile(path) && path.toString().endsWith(".jar"));
    }

    /** The child's class path: the archived jars first, then the test JVM's class path. */
    String classPath(String testClassPath) {
        List<String> entries = new ArrayList<>();
        infrastructureJars.forEach(jar -> entries.add(jar.toString()));
        entries.add(testClassPath);
        return String.join(File.pathSeparator, entries);
    }

    /**
     * The flags that make a child use the archive, creating it first if needed (once per JVM,
     * outside any sandbox). Empty when it cannot be created; the child then starts without it.
     */
    List<String> jvmFlags() {
        if (!Files.isRegularFile(archive) && !trainingFailed) {
            synchronized (TRAINING_LOCK) {
                if (!Files.isRegularFile(archive) && !trainingFailed) {
                    trainingFailed = !train();
                }
            }
        }
        if (!markedUsed && Files.isRegularFile(archive)) {
            markedUsed = true;
            markUsed(archive);
        }
        if (!Files.isRegularFile(archive)) {
            return List.of();
        }
        // Quiet: a child that cannot use the archive (another JDK build, say) starts without it.
        return AOT_CACHE
                ? List.of("-XX:AOTCache=" + archive, "-Xlog:aot=off", "-Xlog:cds=off")
                : List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }

    private boolean train() {
        WorkDir workDir = null;
        try {
            Files.createDirectories(archive.getParent());
            // The training child's channel pipes live here; they go however the training ends.
            workDir = WorkDir.createIn(archive.getParent(), "training-");
            Path partial = Files.createTempFile(archive.getParent(), archive.getFileName().toString(), ".partial");
            Files.delete(partial);
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(childJvmFlags);
            // JDK 25 writes the AOT cache from a second JVM that it starts when the training run exits.
            command.add((AOT_CACHE ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=") + partial);
            command.add("-cp");
            command.add(classPath("").replaceAll(File.pathSeparator + "$", ""));
            command.add(ChildMain.class.getName());
            command.add(Training.ARGUMENT);
            command.add(workDir.path().toString());
            Process training = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!training.waitFor(TRAINING_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                training.destroyForcibly().waitFor();
                Files.deleteIfExists(partial);
                return false;
            }
            if (training.exitValue() != 0 || !Files.isRegularFile(partial)) {
                Files.deleteIfExists(partial);
                return false;
            }
            // Atomic: parallel test JVMs may train at the same time; each archive is complete.
            Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            pruneOldArchives(archive.getParent(), ARCHIVES_KEPT);
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            if (workDir != null) {
                try {
                    workDir.close();
                } catch (UncheckedIOException e) {
                    // a leftover directory in the archive directory, beside the archives
                }
            }
        }
    }

    /**
     * A file beside the archive says by its modification time when the archive was last used:
     * pruning keeps the recent ones. The archive itself stays untouched from its training on, so
     * that its identity (inode, size, modification time) names the templates made with it.
     */
    static void markUsed(Path archive) {
        Path marker = usedMarkerOf(archive);
        try {
            if (!Files.exists(marker)) {
                Files.createFile(marker);
            }
            Files.setLastModifiedTime(marker, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException e) {
            // another user's archive: it is still used, just never pruned first
        }
    }

    private static Path usedMarkerOf(Path archive) {
        return archive.resolveSibling(archive.getFileName() + USED_SUFFIX);
    }

    /** When {@code archive} was last used: as its marker says, else when it was made. */
    private static FileTime lastUsed(Path archive) {
        FileTime made = lastModified(archive);
        FileTime used = lastModified(usedMarkerOf(archive));
        return used.compareTo(made) > 0 ? used : made;
    }

    /** Deletes all but the {@code kept} most recently used archives in {@code dir}, with their markers. */
    static void pruneOldArchives(Path dir, int kept) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> archives = files.filter(file -> file.getFileName().toString().matches("child-[0-9a-f]+\\.(jsa|aot)"))
                    .sorted(Comparator.comparing(ClassDataSharing::lastUsed).reversed())
                    .toList();
            for (Path old : archives.subList(Math.min(kept, archives.size()), archives.size())) {
                Files.deleteIfExists(old);
                Files.deleteIfExists(usedMarkerOf(old));
            }
        } catch (IOException | UncheckedIOException e) {
            // pruning only saves disk space
        }
    }

    /** When {@code file} was last used, as its modification time says; the epoch where it cannot be read. */
    static FileTime lastModified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
