package dev.belljar.linux.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The D-Bus call that asks a user's systemd manager for a delegated scope around a process. */
class SystemdScopeTest {

    @Test
    void startsATransientDelegatedScopeAroundTheProcessThatIsCollectedEvenWhenItFailed() {
        assertThat(SystemdScope.startCommand(Path.of("/usr/bin/busctl"), 4711)).containsExactly("/usr/bin/busctl", "--user",
                "call", "org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                "StartTransientUnit", "ssa(sv)a(sa(sv))", "belljar-4711.scope", "fail", "3", "PIDs", "au", "1", "4711",
                "Delegate", "b", "true", "CollectMode", "s", "inactive-or-failed", "0");
    }

    @Test
    void findsTheUserBusOfAJobStartedWithoutASession() {
        assertThat(SystemdScope.busEnvironment(Map.of("PATH", "/usr/bin"), 1001))
                .containsExactly(Map.entry("XDG_RUNTIME_DIR", "/run/user/1001"));
        assertThat(SystemdScope.busEnvironment(Map.of("XDG_RUNTIME_DIR", "/run/user/1000"), 1000)).isEmpty();
        assertThat(SystemdScope.busEnvironment(Map.of("DBUS_SESSION_BUS_ADDRESS", "unix:path=/x"), 1000)).isEmpty();
    }
}
