package dev.belljar.internal.child;

import dev.belljar.Net;
import dev.belljar.User;
import dev.belljar.internal.channel.WorkDir;
import dev.belljar.linux.libc.Syscalls;
import dev.belljar.linux.ns.Capability;
import dev.belljar.linux.ns.Mounts;
import dev.belljar.linux.ns.Privileges;
import dev.belljar.linux.net.TrafficControl;
import dev.belljar.spec.Attribute;
import dev.belljar.spec.NetFaults;
import dev.belljar.spec.SandboxSpec;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * One step of the set-up a child does itself, inside its namespaces, before its test: the parent
 * plans them from the spec, passes them as arguments ({@link #encode}), the child decodes and runs
 * them phase by phase. The order of the kinds below is the order they run in.
 */
public record SetupStep(Kind kind, String value) {
    /** uid and gid of {@code User.NOBODY}. */
    public static final int NOBODY = 65534;
    /** Connections to a forwarded port that wait for the parent's relay to accept them. */
    private static final int LISTEN_BACKLOG = 128;

    /** When a step runs, relative to the child's connection to the parent. */
    enum Phase {
        /** Before the child connects: nothing covers the work dir yet. */
        BEFORE_CONNECT,
        /** After the child connected: a mount may now cover the work dir, whose pipes are open. */
        AFTER_CONNECT,
        /** After everything that needs privileges. */
        LAST
    }

    enum Kind {
        HOSTNAME("hostname", Phase.BEFORE_CONNECT),
        DOMAINNAME("domainname", Phase.BEFORE_CONNECT),
        LOOPBACK_UP("loopback-up", Phase.BEFORE_CONNECT),
        /**
         * Listens on the forwarded ports of 127.0.0.1, with the privileges a port below 1024 needs:
         * the parent takes these sockets for its relays (a socket stays in the network namespace
         * it was made in, and the parent may not enter it without root).
         */
        LISTEN("listen", Phase.BEFORE_CONNECT),
        /** The loopback's queueing discipline (netFaults), made while the child still has CAP_NET_ADMIN. */
        SHAPE_LOOPBACK("shape-loopback", Phase.BEFORE_CONNECT),
        /** Made before the mounts: later the work dir may be read-only or covered. */
        CREATE_HIDDEN_FILE("hidden-file", Phase.BEFORE_CONNECT),
        REMOUNT_CGROUPFS("cgroupfs-remount", Phase.AFTER_CONNECT),
        READ_ONLY("readonly", Phase.AFTER_CONNECT),
        WRITABLE("writable", Phase.AFTER_CONNECT),
        TMPFS("tmpfs", Phase.AFTER_CONNECT),
        HIDE("hidden", Phase.AFTER_CONNECT),
        /** After the other mounts: a mount made later could cover what it protects. */
        PROTECT_KERNEL_FILES("protect-kernel-files", Phase.AFTER_CONNECT),
        /** Needs SETPCAP, which becoming nobody drops. */
        BOUND_CAPABILITIES("bounding-set", Phase.LAST),
        BECOME_NOBODY("nobody", Phase.LAST),
        /** Last: with it go the capabilities the steps before needed. */
        KEEP_CAPABILITIES("capabilities", Phase.LAST);

        private final String name;
        private final Phase phase;

        Kind(String name, Phase phase) {
            this.name = name;
            this.phase = phase;
        }

        SetupStep with(String value) {
            return new SetupStep(this, value);
        }

        SetupStep alone() {
            return new SetupStep(this, "");
        }
    }

    /**
     * The steps that set up a child for {@code spec}, in the order they run; a {@code rootless}
     * child always mounts the cgroupfs of its own cgroup namespace.
     */
    public static List<SetupStep> plan(SandboxSpec spec, boolean rootless) {
        List<SetupStep> steps = new ArrayList<>();
        spec.hostname().ifPresent(name -> steps.add(Kind.HOSTNAME.with(name)));
        spec.domainname().ifPresent(name -> steps.add(Kind.DOMAINNAME.with(name)));
        if (spec.net() == Net.PRIVATE) {
            steps.add(Kind.LOOPBACK_UP.alone());
        }
        spec.netFaults().ifPresent(faults -> steps.add(Kind.SHAPE_LOOPBACK.with(faults.toString())));
        if (!spec.hostPorts().isEmpty()) {
            steps.add(Kind.LISTEN.with(String.join(",", spec.hostPorts().keySet().stream().map(String::valueOf).toList())));
        }
        if (!spec.hidden().isEmpty()) {
            steps.add(Kind.CREATE_HIDDEN_FILE.alone());
        }
        if (spec.cgroupNamespace() || rootless) {
            steps.add(Kind.REMOUNT_CGROUPFS.alone());
        }
        spec.readOnly().forEach(path -> steps.add(Kind.READ_ONLY.with(path)));
        spec.writable().forEach(path -> steps.add(Kind.WRITABLE.with(path)));
        spec.tmpfs().forEach((path, size) -> steps.add(Kind.TMPFS.with(size + ":" + path)));
        spec.hidden().forEach(path -> steps.add(Kind.HIDE.with(path)));
        if (spec.user() == User.NOBODY) {
            steps.add(Kind.BECOME_NOBODY.alone());
        }
        if (!spec.get(Attribute.PRIVILEGED).orElse(false)) {
            String kept = String.join(",", keptCapabilities(spec).stream().map(Capability::name).toList());
            steps.add(Kind.PROTECT_KERNEL_FILES.alone());
            steps.add(Kind.BOUND_CAPABILITIES.with(kept));
            steps.add(Kind.KEEP_CAPABILITIES.with(kept));
        }
        steps.sort(Comparator.comparing(SetupStep::kind));
        return List.copyOf(steps);
    }

    /** What a sandbox's process keeps: runc's default set and what the spec adds. */
    private static Set<Capability> keptCapabilities(SandboxSpec spec) {
        Set<Capability> kept = EnumSet.copyOf(Capability.RUNC_DEFAULTS);
        spec.get(Attribute.CAPABILITIES).orElse(List.of())
                .forEach(name -> kept.add(Capability.named(name).orElseThrow()));
        return kept;
    }

    /** As a command-line argument: {@code name} or {@code name=value}. */
    String encode() {
        return value.isEmpty() ? kind.name : kind.name + "=" + value;
    }

    static SetupStep decode(String argument) {
        int equals = argument.indexOf('=');
        String name = equals < 0 ? argument : argument.substring(0, equals);
        for (Kind kind : Kind.values()) {
            if (kind.name.equals(name)) {
                return new SetupStep(kind, equals < 0 ? "" : argument.substring(equals + 1));
            }
        }
        throw new IllegalArgumentException("unknown child set-up step '" + argument + "'");
    }

    /** Runs the steps of {@code phase}, in order, in the child. */
    static void run(Phase phase, List<SetupStep> steps, WorkDir workDir) throws IOException {
        run(phase, steps, workDir, step -> true);
    }

    /**
     * Runs the steps of {@code phase} that {@code which} selects, in order: a template child runs
     * before its checkpoint those that do not write into its work dir, the others once restored
     * into its real one.
     */
    static void run(Phase phase, List<SetupStep> steps, WorkDir workDir, Predicate<SetupStep> which) throws IOException {
        for (SetupStep step : steps) {
            if (step.kind.phase == phase && which.test(step)) {
                step.run(workDir);
            }
        }
    }

    /**
     * Runs, in a thread of their own that then ends, the steps whose effect stays in that thread:
     * the kernel files' protection in a mount namespace of the thread's own, and the capability
     * limits, which are the calling thread's. A template rehearses them before its checkpoint, so
     * that each child restored from it finds their code loaded and linked and their native calls
     * bound: about 15 ms of CPU less per restored child. The steps themselves run after the
     * restore, and report what fails there.
     *
     * @return whether every rehearsed step ran; a failed rehearsal costs time only
     */
    static boolean rehearse(List<SetupStep> steps) throws InterruptedException {
        List<SetupStep> rehearsed = steps.stream().filter(step -> step.kind == Kind.PROTECT_KERNEL_FILES
                || step.kind == Kind.BOUND_CAPABILITIES || step.kind == Kind.KEEP_CAPABILITIES).toList();
        AtomicBoolean ran = new AtomicBoolean();
        Thread rehearsal = new Thread(() -> {
            try {
                Syscalls.unshareMountNamespaceOfThisThread();
                for (SetupStep step : rehearsed) {
                    step.run(null);
                }
                ran.set(true);
            } catch (IOException | RuntimeException e) {
                // only time is lost
            }
        }, "belljar-rehearsal");
        rehearsal.start();
        rehearsal.join();
        return ran.get();
    }

    /** Whether the step writes into the child's work dir. */
    boolean writesWorkDir() {
        return kind == Kind.CREATE_HIDDEN_FILE;
    }

    /** Whether these steps make mounts read-only (readOnly): writable files open on them make that fail. */
    public static boolean makesMountsReadOnly(List<SetupStep> steps) {
        return steps.stream().anyMatch(step -> step.kind == Kind.READ_ONLY);
    }

    /**
     * Whether a child with these steps can be restored from a template: not where it made sockets
     * the parent takes (hostPorts) or the loopback's queueing disciplines (netFaults), which a
     * restore does not bring back as they were.
     */
    public static boolean restorable(List<SetupStep> steps) {
        return steps.stream().noneMatch(step -> step.kind == Kind.LISTEN || step.kind == Kind.SHAPE_LOOPBACK);
    }

    private static Set<Capability> capabilities(String names) {
        Set<Capability> set = EnumSet.noneOf(Capability.class);
        for (String name : names.split(",")) {
            set.add(Capability.valueOf(name));
        }
        return set;
    }

    /**
     * Opens every jar of the class path while this JVM may still read them: the class loader keeps
     * a jar open once it looked into it, and nobody may not be let into the directory a jar is in
     * (a Maven repository in a home of mode 700).
     */
    private static void openEveryJar() throws IOException {
        Enumeration<URL> manifests = ClassLoader.getSystemClassLoader().getResources("META-INF/MANIFEST.MF");
        while (manifests.hasMoreElements()) {
            manifests.nextElement();
        }
    }

    /** What this JVM loads classes and libraries from as it runs on: its class path and its JDK. */
    private static List<Path> loadedFrom() {
        List<Path> paths = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty()) {
                paths.add(Path.of(entry).toAbsolutePath());
            }
        }
        paths.add(Path.of(System.getProperty("java.home")));
        return paths;
    }

    private static void shapeLoopback(NetFaults faults) {
        TrafficControl.Netem netem = !faults.needsNetem() ? null : new TrafficControl.Netem(
                orZero(faults.delay()), orZero(faults.jitter()), orZero(faults.loss()), orZero(faults.duplicate()),
                orZero(faults.reorder()));
        TrafficControl.inThisNamespace().shape(faults.rate() == null ? 0 : faults.rate(), netem);
    }

    private static Duration orZero(Duration duration) {
        return duration == null ? Duration.ZERO : duration;
    }

    private static double orZero(Double percent) {
        return percent == null ? 0 : percent;
    }

    private void run(WorkDir workDir) throws IOException {
        switch (kind) {
            case HOSTNAME -> Syscalls.setHostname(value);
            case DOMAINNAME -> Syscalls.setDomainname(value);
            case LOOPBACK_UP -> Syscalls.interfaceUp("lo");
            case LISTEN -> {
                // The descriptors stay open, close-on-exec, for the life of the JVM: the parent takes copies.
                for (String port : value.split(",")) {
                    Syscalls.listenOnLoopback(Integer.parseInt(port), LISTEN_BACKLOG);
                }
            }
            case SHAPE_LOOPBACK -> shapeLoopback(NetFaults.parse(value, Attribute.NET_FAULTS.name()));
            case CREATE_HIDDEN_FILE -> workDir.createHiddenFile();
            case REMOUNT_CGROUPFS -> Mounts.cgroupfsOfThisNamespace(Path.of("/proc/self/mountinfo"));
            case READ_ONLY -> Mounts.readOnly(Path.of(value));
            case WRITABLE -> Mounts.writable(Path.of(value));
            case TMPFS -> {
                int colon = value.indexOf(':');
                Mounts.tmpfs(Path.of(value.substring(colon + 1)), Long.parseLong(value.substring(0, colon)),
                        loadedFrom());
            }
            case HIDE -> Mounts.hide(Path.of(value), workDir.hiddenFile(), loadedFrom());
            case PROTECT_KERNEL_FILES -> Mounts.protectKernelFiles();
            case BOUND_CAPABILITIES -> Privileges.boundTo(capabilities(value));
            case BECOME_NOBODY -> {
                openEveryJar();
                Syscalls.dropPrivileges(NOBODY, NOBODY);
            }
            case KEEP_CAPABILITIES -> Privileges.keepOnly(capabilities(value));
        }
    }
}
