package dev.belljar;

import dev.belljar.linux.cgroup.CgroupException;
import dev.belljar.linux.cgroup.CgroupLimits;
import dev.belljar.linux.cgroup.CgroupManager;
import dev.belljar.linux.criu.Criu;
import dev.belljar.linux.host.Host;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code Doctor} is used to find out what this host can enforce, item by item, with the fix for
 * each gap: {@code java -cp <test class path> dev.belljar.Doctor}. It tries each namespace kind for
 * real (a short {@code unshare ... true}) rather than guessing from kernel versions. Exit status 0
 * when the defaults of {@code @Isolated} can run here, 1 otherwise.
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
        Doctor doctor = examine();
        doctor.print(System.out);
        System.exit(doctor.defaultsWork() ? 0 : 1);
    }

    static Doctor examine() {
        Doctor doctor = new Doctor();
        doctor.checkIdentity();
        Optional<Path> unshare = doctor.checkUnshare();
        doctor.checkCgroups();
        unshare.ifPresent(doctor::checkNamespaces);
        doctor.checkPressure();
        doctor.checkCheckpoints();
        return doctor;
    }

    List<Finding> findings() {
        return List.copyOf(findings);
    }

    /** The defaults need: root, unshare, cgroups with memory, and PID, mount, UTS and IPC namespaces. */
    boolean defaultsWork() {
        return findings.stream().filter(f -> REQUIRED.contains(f.item())).allMatch(Finding::ok);
    }

    private static final List<String> REQUIRED = List.of("running as root", "util-linux unshare", "cgroups",
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
        add("running as root", uid == 0, "uid " + uid,
                "run the tests as root (CI, a VM, a container with CAP_SYS_ADMIN); rootless sandboxes are not supported yet");
    }

    private Optional<Path> checkUnshare() {
        Optional<Path> unshare = Host.findExecutable("unshare");
        add("util-linux unshare", unshare.isPresent(),
                unshare.map(path -> path + " (" + Host.run(List.of(path.toString(), "--version"), 10).firstLine() + ")").orElse("not found"),
                "apt-get install util-linux (or your distribution's util-linux package)");
        return unshare;
    }

    private void checkCgroups() {
        try (CgroupManager cgroups = CgroupManager.detect(Optional.empty())) {
            add("cgroups", true, cgroups.describe(), "");
            for (String controller : List.of("memory", "cpu", "pids")) {
                boolean missing = cgroups.missingControllers().contains(controller);
                add("cgroup controller " + controller, !missing, missing ? "missing" : "available",
                        "enable the " + controller + " controller (cgroup v2: in the parent's cgroup.subtree_control;"
                                + " v1: mount its hierarchy)");
            }
            Optional<String> limits = cgroups.cannotEnforce(CgroupLimits.none().withMemoryBytes(64L << 20)
                    .withSwapBytes(0).withCpuQuota(50_000, 100_000).withPidsMax(64));
            add("memory, swap, cpu, pids limits", limits.isEmpty(), limits.orElse("enforceable"),
                    "see the reason; Belljar never runs a test with a limit it cannot enforce");
        } catch (CgroupException e) {
            add("cgroups", false, e.getMessage(), "mount cgroup2 at /sys/fs/cgroup (or the v1 controller hierarchies)");
        }
    }

    private void checkNamespaces(Path unshare) {
        checkNamespace(unshare, "pid namespace", List.of("--pid", "--fork", "--mount-proc"));
        checkNamespace(unshare, "mount namespace", List.of("--mount"));
        checkNamespace(unshare, "uts namespace", List.of("--uts"));
        checkNamespace(unshare, "ipc namespace", List.of("--ipc"));
        checkNamespace(unshare, "network namespace", List.of("--net"));
        checkNamespace(unshare, "user namespace", List.of("--user", "--map-root-user"));
        checkNamespace(unshare, "time namespace", List.of("--time", "--fork", "--boottime", "1"));
        Path restricted = Path.of("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
        if (Files.exists(restricted) && readTrimmed(restricted).equals("1")) {
            add("unprivileged user namespaces", false, "restricted by AppArmor (" + restricted + " = 1)",
                    "only matters for non-root users: sysctl kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor"
                            + " profile for java that allows userns");
        }
    }

    private void checkNamespace(Path unshare, String item, List<String> flags) {
        Optional<String> reason = Host.cannotUnshare(unshare, flags);
        add(item, reason.isEmpty(), reason.orElse("works"),
                "the kernel or a security policy refuses it; as root in a container, it needs CAP_SYS_ADMIN"
                        + (item.startsWith("time") ? "; time namespaces need Linux 5.6+ and util-linux 2.36+" : ""));
    }

    private void checkPressure() {
        boolean psi = Files.exists(Path.of("/proc/pressure/memory"));
        add("pressure stall information", psi, psi ? "available" : "absent (reported as absent, never as zero)",
                "boot with psi=1 (CONFIG_PSI)");
    }

    /** Optional: only {@code SandboxProcess.checkpoint} needs it. */
    private void checkCheckpoints() {
        Criu.Availability criu = Criu.probe();
        add("checkpoint/restore (CRIU)", criu.unavailable() == null,
                criu.unavailable() == null ? "criu check passes" : criu.unavailable(),
                "only SandboxProcess.checkpoint needs it: apt-get install criu (4.1+ on Linux 6.13+)");
    }

    private static String readTrimmed(Path path) {
        try {
            return Files.readString(path).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
