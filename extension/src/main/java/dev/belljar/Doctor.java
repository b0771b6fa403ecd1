package dev.belljar;

import dev.belljar.internal.parent.ChildJvm;
import dev.belljar.linux.cgroup.CgroupException;
import dev.belljar.linux.cgroup.CgroupLimits;
import dev.belljar.linux.cgroup.CgroupManager;
import dev.belljar.linux.cgroup.DelegationSetup;
import dev.belljar.linux.cgroup.NotDelegatedException;
import dev.belljar.linux.criu.Criu;
import dev.belljar.linux.criu.TemplateTrial;
import dev.belljar.linux.host.Host;
import dev.belljar.linux.net.TrafficControl;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code Doctor} is used to find out what this host can enforce for the user who runs it, item by
 * item, with the fix for each gap: {@code java -cp <test class path> dev.belljar.Doctor}. It tries
 * each namespace kind for real (a short {@code unshare ... true}) rather than guessing from kernel
 * versions. Exit status 0 when the defaults of {@code @Isolated} can run here, 1 otherwise.
 *
 * <p>As root, {@code --setup USER} delegates a cgroup subtree to a non-root USER once, printing
 * each change first, and {@code --undo USER} reverses it (see {@link DelegationSetup}).
 */
public final class Doctor {
    private final List<Finding> findings = new ArrayList<>();

    private Doctor() {
    }

    record Finding(String item, boolean ok, String detail, String fix) {
        @Override
        public String toString() {
            return String.format("%-4s %-28s %s%s", ok ? "ok" : "NO", item, detail,
                    ok || fix.isEmpty() ? "" : System.lineSeparator() + "     fix: " + fix);
        }
    }

    public static void main(String[] args) {
        if (args.length == 2 && (args[0].equals("--setup") || args[0].equals("--undo"))) {
            System.exit(setUp(args[0].equals("--setup"), args[1]));
        }
        if (args.length > 0) {
            System.err.println("usage: Doctor                what this host can enforce for this user\n"
                    + "       Doctor --setup USER   (as root) delegate a cgroup subtree to USER, once\n"
                    + "       Doctor --undo USER    (as root) reverse that setup");
            System.exit(2);
        }
        Doctor doctor = examine();
        doctor.print(System.out);
        System.exit(doctor.defaultsWork() ? 0 : 1);
    }

    private static int setUp(boolean setUp, String user) {
        if (Host.effectiveUid() != 0) {
            System.err.println("the setup changes cgroups that only root may change: run it as root, e.g. sudo ...");
            return 2;
        }
        try {
            DelegationSetup setup = DelegationSetup.forUser(user, System.out);
            if (!setUp) {
                setup.undo();
                System.out.println("belljar setup: undone for " + user);
                return 0;
            }
            String next = setup.apply();
            System.out.println("belljar setup: done for " + user + "; " + next);
            setup.appArmorAdvice().ifPresent(advice -> System.out.println("belljar setup: " + advice));
            return 0;
        } catch (IllegalArgumentException | CgroupException e) {
            System.err.println("belljar setup: " + e.getMessage());
            return 1;
        }
    }

    /**
     * The command, for root, that delegates a cgroup subtree to {@code user}: this JVM's java with
     * the class path Belljar itself was loaded from, so that it works wherever Belljar came from.
     */
    public static String setupCommand(String user) {
        String classPath = Stream.of("dev.belljar.Doctor", "dev.belljar.linux.cgroup.CgroupManager", "com.sun.jna.Native")
                .flatMap(name -> ChildJvm.locationOf(name).stream()).map(Path::toString).distinct()
                .collect(Collectors.joining(":"));
        return "sudo " + Path.of(System.getProperty("java.home"), "bin", "java") + " -cp " + classPath
                + " dev.belljar.Doctor --setup " + user;
    }

    static Doctor examine() {
        Doctor doctor = new Doctor();
        doctor.checkIdentity();
        Optional<Path> unshare = doctor.checkUnshare();
        Optional<Boolean> sandboxPressure = doctor.checkCgroups();
        unshare.ifPresent(doctor::checkNamespaces);
        unshare.ifPresent(doctor::checkTrafficControl);
        doctor.checkPressure(sandboxPressure);
        doctor.checkCheckpoints(unshare);
        return doctor;
    }

    List<Finding> findings() {
        return List.copyOf(findings);
    }

    /** The defaults need: unshare, cgroups with memory (delegated, for a non-root user), and PID, mount, UTS and IPC namespaces. */
    boolean defaultsWork() {
        return findings.stream().filter(f -> REQUIRED.contains(f.item())
                || Host.effectiveUid() != 0 && f.item().equals("user namespace")).allMatch(Finding::ok);
    }

    private static final List<String> REQUIRED = List.of("util-linux unshare", "cgroups",
            "cgroup controller memory", "pid namespace", "mount namespace", "uts namespace", "ipc namespace");

    void print(PrintStream out) {
        out.println("Belljar doctor: what this host can enforce");
        findings.forEach(out::println);
        out.println(defaultsWork() ? "The defaults of @Isolated work here." : "@Isolated tests abort here until the items marked NO above are fixed.");
    }

    private void add(String item, boolean ok, String detail, String fix) {
        findings.add(new Finding(item, ok, detail, fix));
    }

    private void checkIdentity() {
        long uid = Host.effectiveUid();
        add("user", true, uid == 0 ? "root: sandboxes need no delegation"
                : System.getProperty("user.name") + " (uid " + uid + "): each sandbox starts in a user namespace,"
                        + " beneath a cgroup subtree delegated to this user; user = NOBODY, pid = false and checkpoints"
                        + " need root", "");
    }

    private Optional<Path> checkUnshare() {
        Optional<Path> unshare = Host.findExecutable("unshare");
        add("util-linux unshare", unshare.isPresent(),
                unshare.map(path -> path + " (" + Host.run(List.of(path.toString(), "--version"), 10).firstLine() + ")").orElse("not found"),
                "apt-get install util-linux (or your distribution's util-linux package)");
        return unshare;
    }

    /** @return whether sandboxes get pressure data here; empty where there are no usable cgroups */
    private Optional<Boolean> checkCgroups() {
        try (CgroupManager cgroups = CgroupManager.detect(Optional.empty())) {
            add("cgroups", true, cgroups.describe(), "");
            add("cgroup delegation", true, cgroups.delegation(), "");
            for (String controller : List.of("memory", "cpu", "pids")) {
                boolean missing = cgroups.missingControllers().contains(controller);
                add("cgroup controller " + controller, !missing, missing ? "missing" : "available",
                        Host.effectiveUid() == 0 ? "enable the " + controller + " controller (cgroup v2: in the"
                                + " parent's cgroup.subtree_control; v1: mount its hierarchy)"
                                : "delegate it to this user, once, as root: " + setupCommand(System.getProperty("user.name")));
            }
            Optional<String> limits = cgroups.cannotEnforce(CgroupLimits.none().withMemoryBytes(64L << 20)
                    .withSwapBytes(0).withCpuQuota(50_000, 100_000).withPidsMax(64));
            add("memory, swap, cpu, pids limits", limits.isEmpty(), limits.orElse("enforceable"),
                    "see the reason; Belljar never runs a test with a limit it cannot enforce");
            return Optional.of(cgroups.reportsPressure());
        } catch (NotDelegatedException e) {
            add("cgroups", false, e.getMessage(), "once, as root: " + setupCommand(e.user()));
        } catch (CgroupException e) {
            add("cgroups", false, e.getMessage(), "mount cgroup2 at /sys/fs/cgroup (or the v1 controller hierarchies)");
        }
        return Optional.empty();
    }

    private void checkNamespaces(Path unshare) {
        boolean root = Host.effectiveUid() == 0;
        // A non-root user makes every other namespace inside a user namespace of its own.
        List<String> user = root ? List.of() : List.of("--user", "--map-root-user");
        checkNamespace(unshare, "user namespace", List.of("--user", "--map-root-user"));
        checkNamespace(unshare, "pid namespace", with(user, "--pid", "--fork", "--mount-proc"));
        checkNamespace(unshare, "mount namespace", with(user, "--mount"));
        checkNamespace(unshare, "uts namespace", with(user, "--uts"));
        checkNamespace(unshare, "ipc namespace", with(user, "--ipc"));
        checkNamespace(unshare, "network namespace", with(user, "--net"));
        checkNamespace(unshare, "cgroup namespace", with(user, "--cgroup"));
        checkNamespace(unshare, "time namespace", with(user, "--time", "--fork", "--boottime", "1"));
        Path restricted = Path.of("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
        if (Files.exists(restricted) && readTrimmed(restricted).equals("1")) {
            add("unprivileged user namespaces", root, "restricted by AppArmor (" + restricted + " = 1)"
                            + (root ? ": only matters for non-root users" : ""),
                    "sysctl kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile for java that allows"
                            + " userns (" + setupCommand(System.getProperty("user.name")) + " prints one)");
        }
    }

    private static List<String> with(List<String> first, String... then) {
        List<String> flags = new ArrayList<>(first);
        flags.addAll(List.of(then));
        return flags;
    }

    private void checkNamespace(Path unshare, String item, List<String> flags) {
        Optional<String> reason = Host.cannotUnshare(unshare, flags);
        add(item, reason.isEmpty(), reason.orElse("works"), Host.effectiveUid() != 0 ? Host.UNPRIVILEGED_USERNS_FIX
                : "the kernel or a security policy refuses it; as root in a container, it needs CAP_SYS_ADMIN"
                        + (item.startsWith("time") ? "; time namespaces need Linux 5.6+ and util-linux 2.36+" : ""));
    }

    /** Optional: only netFaults need them, a rate tc alone, the other faults netem too. */
    private void checkTrafficControl(Path unshare) {
        Optional<Path> tc = Host.findExecutable("tc");
        add("netFaults rate (tc, tbf)", tc.isPresent(), tc.map(path -> path + " shapes a sandbox's loopback").orElse("tc not found"),
                "apt-get install iproute2");
        if (tc.isPresent()) {
            Optional<String> noNetem = TrafficControl.cannotEmulate(unshare);
            add("netFaults delay, jitter, loss, duplicate, reorder (netem)", noNetem.isEmpty(), noNetem.orElse("works"),
                    "only netFaults other than a rate need it; hostPorts faults work without it");
        }
    }

    /** Claimed only where sandboxes get it: the host's /proc/pressure alone is not per sandbox. */
    private void checkPressure(Optional<Boolean> sandboxPressure) {
        boolean psi = Files.exists(Path.of("/proc/pressure/memory"));
        boolean perSandbox = sandboxPressure.orElse(false);
        add("pressure stall information", perSandbox, perSandbox ? "available per sandbox"
                        : (psi ? "the host has it, but its cgroups keep none (cgroup v1)" : "absent")
                        + ": sandboxes report none (absent, never zero)",
                psi ? "run on cgroup v2, which keeps pressure per cgroup" : "boot with psi=1 (CONFIG_PSI)");
    }

    static final String KERNEL_FEATURES_KEPT = "; /run is not a tmpfs here, where CRIU would keep the kernel features it"
            + " probes: Belljar probes them once per boot and keeps them beside its templates for every restore";

    /**
     * Optional: {@code SandboxProcess.checkpoint} needs CRIU, and with it (as root, where a trial
     * template is dumped and restored) children are restored from warm templates instead of started.
     */
    private void checkCheckpoints(Optional<Path> unshare) {
        String fix = "apt-get install criu (4.1+ on Linux 6.13+), or name a CRIU with " + Criu.LOCATION_VARIABLE
                + "; without it children start fresh and SandboxProcess.checkpoint is refused";
        if (Host.effectiveUid() != 0) {
            add("checkpoint/restore (CRIU)", false, "needs root: CRIU restores a process tree with privileges a"
                    + " non-root user does not have; children start fresh", fix + " (as root)");
            return;
        }
        Criu.Availability criu = Criu.probe();
        if (criu.unavailable() != null || unshare.isEmpty()) {
            add("checkpoint/restore (CRIU)", false, criu.unavailable() == null ? "no unshare to try it with"
                    : criu.unavailable() + "; children start fresh", fix);
            return;
        }
        String where = "CRIU " + criu.criu().version() + " (" + criu.criu().path() + ")";
        Optional<String> cannot = TemplateTrial.cannotRestore(criu.criu(), unshare.get());
        add("checkpoint/restore (CRIU)", cannot.isEmpty(), cannot.isEmpty()
                        ? where + ": a trial template was dumped and restored; children of isolated tests are restored"
                        + " from warm templates" + (Criu.keepsKernelFeaturesItself() ? "" : KERNEL_FEATURES_KEPT) : where + " passes criu check but cannot restore a trial template, so"
                        + " children start fresh: " + cannot.get(), fix);
    }

    private static String readTrimmed(Path path) {
        try {
            return Files.readString(path).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
