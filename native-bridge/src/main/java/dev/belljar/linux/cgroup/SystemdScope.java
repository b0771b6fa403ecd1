package dev.belljar.linux.cgroup;

import dev.belljar.linux.host.Host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A transient systemd scope with {@code Delegate=yes}, asked of the user's own systemd manager
 * over D-Bus ({@code busctl --user}), that takes this process in: systemd moves it (its user
 * manager asks the system manager where the process lives outside {@code user@UID.service}) and
 * hands the cgroup to this user. The scope goes when its last process does, so it lives exactly as
 * long as this JVM.
 */
final class SystemdScope {
    private static final Duration MOVE_TIMEOUT = Duration.ofSeconds(5);

    private SystemdScope() {
    }

    /** The scope's unit name for a process. */
    static String unitName(long pid) {
        return "belljar-" + pid + ".scope";
    }

    /**
     * The {@code busctl} call that starts the scope around {@code pid}: StartTransientUnit with the
     * process, Delegate=yes, and collection even when it failed (nothing of it is left behind).
     */
    static List<String> startCommand(Path busctl, long pid) {
        return List.of(busctl.toString(), "--user", "call", "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                "org.freedesktop.systemd1.Manager", "StartTransientUnit", "ssa(sv)a(sa(sv))", unitName(pid), "fail",
                "3", "PIDs", "au", "1", Long.toString(pid), "Delegate", "b", "true", "CollectMode", "s",
                "inactive-or-failed", "0");
    }

    /** The user bus, where the environment does not name one (a CI job started by a system service). */
    static Map<String, String> busEnvironment(Map<String, String> environment, long uid) {
        if (environment.containsKey("DBUS_SESSION_BUS_ADDRESS") || environment.containsKey("XDG_RUNTIME_DIR")) {
            return Map.of();
        }
        return Map.of("XDG_RUNTIME_DIR", "/run/user/" + uid);
    }

    /**
     * Moves this process into a new delegated scope of the user's systemd manager.
     *
     * @return the unit's name, or empty with nothing changed where no user manager answers
     * @throws CgroupException when the manager answered but the process did not arrive in the scope
     */
    static Optional<String> moveThisProcess(Path procSelfCgroup) {
        Optional<Path> busctl = Host.findExecutable("busctl");
        if (busctl.isEmpty() || !Files.isDirectory(Path.of("/run/systemd/system"))) {
            return Optional.empty();
        }
        long pid = ProcessHandle.current().pid();
        ProcessBuilder call = new ProcessBuilder(new ArrayList<>(startCommand(busctl.get(), pid)))
                .redirectErrorStream(true);
        call.environment().putAll(busEnvironment(System.getenv(), Host.effectiveUid()));
        String output;
        try {
            Process process = call.start();
            output = new String(process.getInputStream().readAllBytes()).strip();
            if (process.waitFor() != 0) {
                return Optional.empty();
            }
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        String unit = unitName(pid);
        long deadline = System.nanoTime() + MOVE_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (ProcCgroups.read(procSelfCgroup).v2Path().orElse("").endsWith("/" + unit)) {
                return Optional.of(unit);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new CgroupException("the systemd user manager started " + unit + " (" + output + ") but this process did"
                + " not arrive in it within " + MOVE_TIMEOUT.toSeconds() + " s");
    }
}
