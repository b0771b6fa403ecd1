package dev.belljar;

import dev.belljar.linux.cgroup.CgroupManager;

import dev.belljar.linux.libc.NativeException;
import dev.belljar.linux.libc.Syscalls;
import dev.belljar.linux.ns.Capability;
import dev.belljar.linux.ns.Privileges;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

/**
 * What a default sandbox keeps a test from doing to the host and to its own limits. Every probe
 * is one that harms nothing if the protection is missing: it writes back what a file of the
 * sandbox's own already holds, mounts only in the sandbox's own mount namespace, and reads the
 * capability sets (of the thread that runs the test) instead of trying what they guard.
 */
class LeastPrivilegeTest extends KernelTest {
    /** What no default sandbox may keep: mounts, module loads, reboot, the clock, resource limits. */
    static final Set<Capability> DANGEROUS = Set.of(Capability.SYS_ADMIN, Capability.SYS_MODULE, Capability.SYS_BOOT,
            Capability.SYS_TIME, Capability.SYS_RESOURCE);

    /** Runs one probe; a failed one fails this test with the probe's own failure, for the reader. */
    private static Events run(String method) {
        Events events = EngineTestKit.engine("junit-jupiter").selectors(selectMethod(Inside.class, method)).execute()
                .testEvents();
        events.failed().stream().findFirst().ifPresent(failed -> {
            throw new AssertionError("the probe " + method + " failed inside its sandbox",
                    failed.getRequiredPayload(TestExecutionResult.class).getThrowable().orElse(null));
        });
        return events;
    }

    @Test
    void itsOwnMemoryLimitCannotBeWritten() {
        run("writesItsOwnMemoryLimit").assertStatistics(s -> s.succeeded(1));
    }

    @Test
    void itsOwnMemoryLimitCannotBeWrittenInItsOwnCgroupNamespace() {
        run("writesItsOwnMemoryLimitInItsCgroupNamespace").assertStatistics(s -> s.succeeded(1));
    }

    @Test
    void mountIsRefused() {
        run("mounts").assertStatistics(s -> s.succeeded(1));
    }

    @Test
    void capabilitiesAreRuncsDefaultsAndNoNewPrivileges() {
        run("readsItsCapabilities").assertStatistics(s -> s.succeeded(1));
    }

    @Test
    void procSysIsReadOnlyAndKernelMemoryMasked() {
        run("writesProcSysAndReadsKcore").assertStatistics(s -> s.succeeded(1));
    }

    @Test
    void nobodyHasNoCapabilityLeft() {
        if (rootless()) {
            assertRefusedRootless(run("readsTheCapabilitiesOfNobody"), "user = NOBODY needs a second uid (65534)");
            return;
        }
        run("readsTheCapabilitiesOfNobody").assertStatistics(s -> s.succeeded(1));
    }

    @Test
    void aDeclaredCapabilityIsKeptAndNoOther() {
        if (rootlessUnguarded()) {
            assertRefusedRootless(run("keepsWhatItDeclares"), "capabilities = SYS_ADMIN in a sandbox of a non-root test"
                    + " JVM on cgroup v");
            return;
        }
        run("keepsWhatItDeclares").assertStatistics(s -> s.succeeded(1));
    }

    @Test
    void privilegedKeepsEverything() {
        if (rootlessUnguarded()) {
            assertRefusedRootless(run("isPrivileged"), "privileged = true in a sandbox of a non-root test JVM on cgroup v");
            return;
        }
        run("isPrivileged").assertStatistics(s -> s.succeeded(1));
    }

    @Test
    void itCannotMoveItselfOutOfItsCgroup() {
        run("writesItsPidAboveItsCgroup").assertStatistics(s -> s.succeeded(1));
    }

    /** Where only a read-only cgroupfs keeps a rootless sandbox from its limits: SYS_ADMIN is refused there. */
    private static boolean rootlessUnguarded() {
        try (CgroupManager cgroups = CgroupManager.detect(Optional.empty())) {
            return rootless() && !cgroups.kernelGuardsNamespaceRoots();
        }
    }

    /** The memory limit file of the sandbox's own cgroup, as the sandbox sees the cgroup filesystem. */
    static Path ownMemoryLimitFile() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/cgroup"));
        for (String line : lines) {
            String[] fields = line.split(":", 3);
            if (fields[1].isEmpty() && lines.size() == 1) {
                return Path.of("/sys/fs/cgroup" + fields[2], "memory.max");
            }
            if (List.of(fields[1].split(",")).contains("memory")) {
                return Path.of("/sys/fs/cgroup/memory" + fields[2], "memory.limit_in_bytes");
            }
        }
        throw new IllegalStateException("no memory controller in /proc/self/cgroup: " + lines);
    }

    /** Writing back the value it holds: if the protection is missing, nothing changes. */
    static void writeBackUnchanged(Path file) throws IOException {
        String value = Files.readString(file).strip();
        Files.writeString(file, value);
    }

    static class Inside {
        @Test
        @Isolated(memory = "64M")
        void writesItsOwnMemoryLimit() throws IOException {
            Path limit = ownMemoryLimitFile();
            assertThat(Files.readString(limit).strip()).isEqualTo("67108864");
            assertThatThrownBy(() -> writeBackUnchanged(limit)).isInstanceOf(IOException.class)
                    .hasMessageContaining("Read-only file system");
        }

        @Test
        @Isolated(memory = "64M", cgroupNamespace = true)
        void writesItsOwnMemoryLimitInItsCgroupNamespace() throws IOException {
            Path limit = ownMemoryLimitFile();
            assertThat(limit.getParent().toString()).isIn("/sys/fs/cgroup", "/sys/fs/cgroup/memory");
            assertThat(Files.readString(limit).strip()).isEqualTo("67108864");
            assertThatThrownBy(() -> writeBackUnchanged(limit)).isInstanceOf(IOException.class)
                    .hasMessageContaining("Read-only file system");
        }

        /**
         * Writing its PID into the cgroup above its own would take it out of its limits: that
         * cgroup is hidden (in a cgroup namespace) or read-only; either way it stays where it is.
         */
        @Test
        @Isolated(memory = "64M")
        void writesItsPidAboveItsCgroup() throws IOException {
            String before = Files.readString(Path.of("/proc/self/cgroup"));
            Path own = ownMemoryLimitFile().getParent();
            Path above = own.getParent().resolve("cgroup.procs");
            if (own.startsWith(Path.of("/sys/fs/cgroup")) && !own.equals(Path.of("/sys/fs/cgroup"))
                    && !own.equals(Path.of("/sys/fs/cgroup/memory")) && Files.exists(above)) {
                assertThatThrownBy(() -> Files.writeString(above, Long.toString(ProcessHandle.current().pid())))
                        .isInstanceOf(IOException.class).hasMessageContaining("Read-only file system");
            } else {
                assertThat(Files.readString(own.resolve(own.endsWith("memory") ? "memory.limit_in_bytes" : "memory.max"))
                        .strip()).as("the root of its cgroup namespace is its own sandbox").isEqualTo("67108864");
            }
            assertThat(Files.readString(Path.of("/proc/self/cgroup"))).isEqualTo(before);
        }

        @Test
        @Isolated
        void mounts() throws IOException {
            Path dir = Files.createTempDirectory("belljar-mount-probe");
            try {
                assertThatThrownBy(() -> Syscalls.mount("tmpfs", dir.toString(), "tmpfs", 0, "size=1M"))
                        .isInstanceOf(NativeException.class).hasMessageContaining("EPERM");
            } finally {
                Files.delete(dir);
            }
        }

        @Test
        @Isolated
        void readsItsCapabilities() {
            Privileges.Sets sets = Privileges.ofThisThread();
            assertThat(sets.bounding()).isEqualTo(Capability.RUNC_DEFAULTS);
            assertThat(sets.effective()).isEqualTo(Capability.RUNC_DEFAULTS).doesNotContainAnyElementsOf(DANGEROUS);
            assertThat(sets.permitted()).isEqualTo(Capability.RUNC_DEFAULTS);
            assertThat(sets.inheritable()).isEmpty();
            assertThat(sets.ambient()).isEmpty();
            assertThat(sets.noNewPrivs()).isTrue();
        }

        @Test
        @Isolated
        void writesProcSysAndReadsKcore() throws IOException {
            // The domain name belongs to the sandbox's own UTS namespace.
            assertThatThrownBy(() -> writeBackUnchanged(Path.of("/proc/sys/kernel/domainname")))
                    .isInstanceOf(IOException.class).hasMessageContaining("Read-only file system");
            Path kcore = Path.of("/proc/kcore");
            if (Files.exists(kcore)) {
                assertThat(Files.size(kcore)).as("/proc/kcore is masked").isZero();
            }
        }

        @Test
        @Isolated(user = User.NOBODY)
        void readsTheCapabilitiesOfNobody() {
            Privileges.Sets sets = Privileges.ofThisThread();
            assertThat(sets.effective()).isEmpty();
            assertThat(sets.permitted()).isEmpty();
            assertThat(sets.bounding()).isEqualTo(Capability.RUNC_DEFAULTS);
            assertThat(sets.noNewPrivs()).isTrue();
        }

        @Test
        @Isolated(capabilities = "SYS_ADMIN")
        void keepsWhatItDeclares() {
            Privileges.Sets sets = Privileges.ofThisThread();
            assertThat(sets.effective()).contains(Capability.SYS_ADMIN).containsAll(Capability.RUNC_DEFAULTS)
                    .doesNotContain(Capability.SYS_MODULE, Capability.SYS_BOOT, Capability.SYS_TIME);
            assertThat(sets.bounding()).isEqualTo(sets.effective());
        }

        @Test
        @Isolated(privileged = true)
        void isPrivileged() {
            Privileges.Sets sets = Privileges.ofThisThread();
            // SYS_RESOURCE is not among them: this may be a container whose root lacks it.
            assertThat(sets.effective()).contains(Capability.SYS_ADMIN, Capability.SYS_MODULE, Capability.SYS_TIME);
            assertThat(sets.noNewPrivs()).isFalse();
        }
    }
}
