package dev.belljar.internal.parent;

import com.sun.management.OperatingSystemMXBean;
import dev.belljar.User;
import dev.belljar.internal.channel.WorkDir;
import dev.belljar.internal.child.ChildMain;
import dev.belljar.linux.libc.NativeStartup;
import dev.belljar.spec.SandboxSpec;
import dev.belljar.spec.SpecException;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The child JVM's command line. The child is short-lived and often small: Serial GC, C1 only,
 * no perf data file, and its heap and CPU count sized from the sandbox's limits explicitly
 * (the JVM's own container detection cannot be trusted inside a cgroup it did not start in).
 */
public final class ChildJvm {
    /** Share of the memory limit the child's heap may take; the rest is the JVM itself (metaspace, code, threads). */
    public static final int HEAP_PERCENT_OF_LIMIT = 50;
    private static final String COMPILE_THRESHOLD_SCALING = "-XX:CompileThresholdScaling=10";
    /** Memory limits up to this one make the child compile later: see {@link #flags}. */
    static final long SMALL_LIMIT_BYTES = 64L << 20;
    static final String SMALL_LIMIT_COMPILE_THRESHOLD_SCALING = "-XX:CompileThresholdScaling=50";
    private static final Set<String> FORWARDED_SYSTEM_PROPERTY_PREFIXES_EXCLUDED = Set.of(
            "java.", "jdk.", "sun.", "os.", "user.", "file.", "line.", "path.", "native.", "stdout.", "stderr.",
            "jna.", "jnidispatch.", "belljar.child.");

    private ChildJvm() {
    }

    /**
     * The flags of every child, whatever its spec: they suit a short-lived, often small JVM. C1
     * compiles a method only after 10 times the usual calls and loop turns: most of JUnit's start-up
     * code runs a few times, and compiling it cost more CPU than interpreting it ({@code bench/run}
     * measures it); hot test code is still compiled within milliseconds. Native
     * access is Belljar's own (JNA, for the child's setup): JDK 24+ would warn about it on the
     * test's stderr. The class-data-sharing archives (the JDK's and the child's) are mapped where
     * they were dumped: JDK builds that relocate them on every start by default (for address-space
     * randomization) rewrite every pointer in them, which made megabytes of each child's memory
     * private copies charged to its cgroup, and cost CPU. These are tuning flags, some of them
     * diagnostic ones that a JDK may drop: a JDK that does not know one ignores it rather than
     * refusing to start the child. Every {@code -XX} option on the child's command line is Belljar's
     * own (the inherited flags are agents, module and assertion flags), so nobody's typo is hidden.
     */
    static final List<String> BASE_FLAGS = List.of("-XX:+IgnoreUnrecognizedVMOptions",
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
            "-XX:ReservedCodeCacheSize=32m", "-Xss512k", COMPILE_THRESHOLD_SCALING, "--enable-native-access=ALL-UNNAMED",
            "-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0");

    /**
     * The flags every child gets: {@link #BASE_FLAGS}, what spares it JNA's start-up work (for the
     * setup steps that call the kernel), and those inherited from this JVM. Worked out once: the
     * class-data-sharing archive is trained with exactly these flags.
     */
    static List<String> commonFlags() {
        return CommonFlags.FLAGS;
    }

    /** Holder: the memory this JVM may use (its container's limit, else the host's), read on first use. */
    private static final class HostMemory {
        static final long BYTES = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
    }

    /** Holder: the flags are worked out on first use, not when the class loads. */
    private static final class CommonFlags {
        static final List<String> FLAGS;

        static {
            List<String> flags = new ArrayList<>(BASE_FLAGS);
            flags.addAll(nativeStartupFlags());
            flags.addAll(inheritedJvmArgs(ManagementFactory.getRuntimeMXBean().getInputArguments()));
            FLAGS = List.copyOf(flags);
        }
    }

    /**
     * The flags that make a child load JNA's dispatch library kept in this user's folder; none
     * where that folder cannot be trusted (the child then unpacks its own copy, as JNA does).
     */
    private static List<String> nativeStartupFlags() {
        return WorkDir.ofThisUserOrWithout("belljar-native", "children unpack JNA's library themselves")
                .map(NativeStartup::jvmFlags).orElse(List.of());
    }

    /**
     * The flags of a child for {@code spec}: the {@link #commonFlags}, and its heap and CPU count
     * sized from its limits. Under a small memory limit the child compiles later still: the JIT
     * compiler's arenas are the largest share of a JVM's memory that no test asks for (a trivial
     * test under 32M peaked at 29.4 MiB on JDK 25 without a start-up archive, 23.0 MiB so; about
     * 5% more CPU).
     */
    static List<String> flags(SandboxSpec spec) {
        List<String> flags = new ArrayList<>(commonFlags());
        spec.memoryBytes().ifPresent(limit -> {
            // A limit beyond this host's memory never bites; a heap sized from it could not be reserved.
            flags.add("-XX:MaxRAM=" + Math.min(limit, HostMemory.BYTES));
            flags.add("-XX:MaxRAMPercentage=" + HEAP_PERCENT_OF_LIMIT);
            if (limit <= SMALL_LIMIT_BYTES) {
                flags.replaceAll(flag -> flag.equals(COMPILE_THRESHOLD_SCALING) ? SMALL_LIMIT_COMPILE_THRESHOLD_SCALING : flag);
            }
        });
        // With a cpuset and no quota the JVM counts its CPUs from its affinity mask itself.
        spec.cpuCores().ifPresent(cores -> flags.add("-XX:ActiveProcessorCount="
                + Math.min((int) Math.ceil(cores), spec.cpusetSize().orElse(Integer.MAX_VALUE))));
        return flags;
    }

    /** The command that starts the child's JVM from its argument file, with the child's own arguments. */
    static List<String> command(Path argumentFile, List<String> childArguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("@" + argumentFile);
        command.add(ChildMain.class.getName());
        command.addAll(childArguments);
        return command;
    }

    /**
     * The test JVM's class path, plus what class loaders between it and the test add: the JUnit
     * console launcher ({@code java -jar ... --class-path X}) and IDEs load tests through their
     * own URLClassLoader, which {@code java.class.path} does not show.
     */
    static String testClassPath() {
        LinkedHashSet<String> entries = new LinkedHashSet<>(
                List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
        List<String> added = new ArrayList<>();
        for (ClassLoader loader = Thread.currentThread().getContextClassLoader(); loader != null;
             loader = loader.getParent()) {
            if (loader instanceof URLClassLoader urls) {
                List<String> own = new ArrayList<>();
                for (URL url : urls.getURLs()) {
                    if (url.getProtocol().equals("file")) {
                        try {
                            own.add(Path.of(url.toURI()).toString());
                        } catch (URISyntaxException | IllegalArgumentException e) {
                            // not a local file: the child could not load from it either
                        }
                    }
                }
                added.addAll(0, own);
            }
        }
        entries.addAll(added);
        entries.remove("");
        return String.join(File.pathSeparator, entries);
    }

    /**
     * The jar or directory that the class {@code className} of Belljar's class loader comes from;
     * empty where it is not there or not loaded from a local file.
     */
    public static Optional<Path> locationOf(String className) {
        try {
            Class<?> type = Class.forName(className, false, ChildJvm.class.getClassLoader());
            CodeSource source = type.getProtectionDomain().getCodeSource();
            return source == null || source.getLocation() == null ? Optional.empty()
                    : Optional.of(Path.of(source.getLocation().toURI()));
        } catch (ClassNotFoundException | LinkageError | URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * What the child JVM still loads from, its JDK and class path, must stay reachable: no tmpfs or
     * hidden path may be one of them or lie inside one, and a child that becomes nobody must be
     * let through every directory above them.
     */
    static void requireReachable(SandboxSpec spec, String classPath) {
        List<String> needed = new ArrayList<>(List.of(classPath.split(File.pathSeparator)));
        needed.remove("");
        needed.add(System.getProperty("java.home"));
        if (spec.user() == User.NOBODY) {
            // The child opens every jar before it drops to nobody; classes in a directory and the
            // JDK's libraries it opens by path as it needs them.
            needed.stream().filter(entry -> Files.isDirectory(Path.of(entry))).forEach(ChildJvm::requireReadableByOthers);
        }
        List<String> covering = new ArrayList<>(spec.tmpfs().keySet());
        covering.addAll(spec.hidden());
        // An entry below a covered path is bound back, read-only; one the cover equals or lies in is not.
        for (String cover : covering) {
            Path covered = Path.of(cover).normalize();
            for (String entry : needed) {
                Path path = Path.of(entry).toAbsolutePath().normalize();
                if (covered.startsWith(path) && (Files.isDirectory(path) || covered.equals(path))) {
                    throw new SpecException((spec.tmpfs().containsKey(cover) ? "tmpfs" : "hidden")
                            + " = \"" + cover + "\" would cover " + (covered.equals(path) ? "" : "part of ") + entry
                            + ", which the sandbox's JVM loads classes or libraries from: choose a path that is not, and"
                            + " is not inside, the JDK or a class path entry (one below it stays visible)");
                }
            }
        }
    }

    /**
     * The uid nobody reads what others may: every directory above {@code entry} must let others
     * through (x) and the entry itself be readable to them (its mode bits; an ACL is not read).
     */
    static void requireReadableByOthers(String entry) {
        Path path = Path.of(entry).toAbsolutePath().normalize();
        for (Path dir = path.getParent(); dir != null; dir = dir.getParent()) {
            requireMode(dir, entry, PosixFilePermission.OTHERS_EXECUTE, "lets no other user through");
        }
        requireMode(path, entry, PosixFilePermission.OTHERS_READ, "is not readable to other users");
        if (Files.isDirectory(path)) {
            requireMode(path, entry, PosixFilePermission.OTHERS_EXECUTE, "lets no other user through");
        }
    }

    private static void requireMode(Path path, String entry, PosixFilePermission needed, String problem) {
        Set<PosixFilePermission> mode;
        try {
            mode = Files.getPosixFilePermissions(path);
        } catch (IOException e) {
            return;  // a missing entry fails the same way for every user
        }
        if (!mode.contains(needed)) {
            throw new SpecException("user = NOBODY cannot reach " + entry + ", which the sandbox's JVM loads classes or"
                    + " libraries from: " + path + " (" + PosixFilePermissions.toString(mode) + ") " + problem
                    + "; allow it (chmod o+" + (needed == PosixFilePermission.OTHERS_READ ? "r" : "x") + " " + path
                    + "), build from a directory others may read, or run the test as CALLER or ROOT");
        }
    }

    /**
     * Flags of the parent that the child needs too: agents (coverage from children must merge),
     * module openings, assertions, preview. A debugger agent is dropped: the child would wait on
     * the parent's port.
     */
    static List<String> inheritedJvmArgs(List<String> parentArgs) {
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < parentArgs.size(); i++) {
            String arg = parentArgs.get(i);
            if (arg.startsWith("-agentlib:jdwp") || arg.startsWith("-Xrunjdwp")) {
                continue;
            }
            if (arg.startsWith("-javaagent:") || arg.startsWith("-agentpath:") || arg.startsWith("-agentlib:")
                    || arg.equals("--enable-preview") || arg.matches("-(ea|da|esa|dsa|enableassertions|disableassertions)(:.*)?")
                    || arg.matches("--add-(opens|exports|modules|reads)=.*") || arg.startsWith("--enable-native-access")) {
                kept.add(arg);
            } else if (arg.matches("--add-(opens|exports|modules|reads)") && i + 1 < parentArgs.size()) {
                kept.add(arg);
                kept.add(parentArgs.get(++i));
            }
        }
        return kept;
    }

    /** System properties set at run time (Surefire's systemPropertyVariables, for one), for the child's request. */
    public static Map<String, String> forwardedSystemProperties() {
        Map<String, String> forwarded = new TreeMap<>();
        System.getProperties().forEach((key, value) -> {
            if (key instanceof String name && value instanceof String text && !excluded(name)) {
                forwarded.put(name, text);
            }
        });
        return forwarded;
    }

    private static boolean excluded(String name) {
        for (String prefix : FORWARDED_SYSTEM_PROPERTY_PREFIXES_EXCLUDED) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
