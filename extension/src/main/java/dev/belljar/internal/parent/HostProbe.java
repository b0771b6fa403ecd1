package dev.belljar.internal.parent;

import dev.belljar.User;
import dev.belljar.linux.criu.Criu;
import dev.belljar.linux.host.Host;
import dev.belljar.linux.net.TrafficControl;
import dev.belljar.spec.Attribute;
import dev.belljar.spec.NetFaults;
import dev.belljar.spec.SandboxSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this host lets a sandbox do, found out once per test run: the launcher and the privileges
 * sandboxes need, then, on first use, the namespace kinds not every host offers and CRIU.
 */
final class HostProbe {
    private final Path unshare;
    private final String unavailable;
    /** Not root: every sandbox starts in a user namespace, beneath a delegated cgroup. */
    private final boolean rootless;
    /** Namespace kinds not every host offers, tried once on first use. */
    private final Map<String, Optional<String>> namespaces = new ConcurrentHashMap<>();
    /** CRIU, probed on the first checkpoint: {@code criu check} takes a while. */
    private volatile Criu.Availability criu;

    private HostProbe(Path unshare, String unavailable, boolean rootless) {
        this.unshare = unshare;
        this.unavailable = unavailable;
        this.rootless = rootless;
    }

    static HostProbe run() {
        Optional<Path> unshare = Host.findExecutable("unshare");
        if (unshare.isEmpty()) {
            return unavailable("util-linux 'unshare' is not on the PATH; install util-linux (apt-get install util-linux)");
        }
        if (Host.effectiveUid() == 0) {
            return new HostProbe(unshare.get(), null, false);
        }
        return new HostProbe(unshare.get(), cannotNestRootless(unshare.get()).orElse(null), true);
    }

    /**
     * Why this non-root user cannot make the namespaces a sandbox needs, with the fix: tried for
     * real, as a sandbox makes them (pid and mount, with a fresh /proc, inside a user namespace).
     */
    static Optional<String> cannotNestRootless(Path unshare) {
        return Host.cannotUnshare(unshare, List.of("--user", "--map-root-user", "--mount", "--pid", "--fork",
                "--mount-proc")).map(reason -> "as a non-root user (uid " + Host.effectiveUid() + ") Belljar makes each"
                        + " sandbox in a user namespace, which this host refuses: " + reason + "; " + Host.UNPRIVILEGED_USERNS_FIX);
    }

    static HostProbe unavailable(String reason) {
        return new HostProbe(null, reason, false);
    }

    /** Whether sandboxes start in a user namespace beneath a delegated cgroup, as the test JVM is not root. */
    boolean rootless() {
        return rootless;
    }

    /** Why no sandbox can run on this host at all, with the fix; empty when sandboxes can run. */
    Optional<String> unavailable() {
        return Optional.ofNullable(unavailable);
    }

    Path unshare() {
        return unshare;
    }

    /** Why this host cannot launch {@code plan} as declared (its cgroup limits aside), with the fix. */
    Optional<String> cannotLaunch(LaunchPlan plan) {
        if (unavailable != null) {
            return Optional.of(unavailable);
        }
        if (rootless) {
            Optional<String> refused = rootlessRefusal(plan.spec());
            if (refused.isPresent()) {
                return refused;
            }
        }
        if (plan.spec().user() == User.ROOT && !rootless) {
            Optional<String> reason = namespaces.computeIfAbsent("user",
                    kind -> Host.cannotUnshare(unshare, List.of("--user", "--map-root-user")));
            if (reason.isPresent()) {
                return Optional.of("user = ROOT needs a user namespace: " + reason.get());
            }
        }
        if (plan.spec().uptime().isPresent()) {
            Optional<String> reason = namespaces.computeIfAbsent("time",
                    kind -> Host.cannotUnshare(unshare, rootless
                            ? List.of("--user", "--map-root-user", "--time", "--fork", "--boottime", "1")
                            : List.of("--time", "--fork", "--boottime", "1")));
            if (reason.isPresent()) {
                return Optional.of("uptime needs a time namespace (Linux 5.6+, util-linux 2.36+): " + reason.get());
            }
        }
        Optional<String> unshapeable = plan.spec().netFaults().flatMap(this::cannotShape);
        return unshapeable.isPresent() ? unshapeable : plan.ioUnlimitable();
    }

    /** Why a sandbox's loopback cannot be shaped as {@code faults} declares on this host, with the fix. */
    private Optional<String> cannotShape(NetFaults faults) {
        String declared = Attribute.NET_FAULTS.name() + " = \"" + faults + "\"";
        if (Host.findExecutable("tc").isEmpty()) {
            return Optional.of(declared + " needs tc, which is not on the PATH: install iproute2");
        }
        if (!faults.needsNetem()) {
            return Optional.empty();
        }
        return namespaces.computeIfAbsent("netem", kind -> TrafficControl.cannotEmulate(unshare))
                .map(reason -> declared + " needs netem for delay, jitter, loss, duplicate and reorder (a rate alone works"
                        + " without it): " + reason);
    }

    /** What a sandbox of a non-root test JVM cannot be, with the reason and the fix. */
    private static Optional<String> rootlessRefusal(SandboxSpec spec) {
        if (spec.user() == User.NOBODY) {
            return Optional.of("user = NOBODY needs a second uid (65534) in the sandbox's user namespace, and only root"
                    + " may map more than its own uid (uid " + Host.effectiveUid() + " runs these tests): use user = ROOT"
                    + " (root inside, this user outside) or user = CALLER, or run the tests as root");
        }
        if (!spec.pidNamespace()) {
            return Optional.of("pid = false would let a sandbox of a non-root test JVM reach the host's processes of the"
                    + " same user, the test JVM among them, and through /proc/<pid>/root the cgroup files that hold its"
                    + " limits: keep pid = true (the default) or run the tests as root");
        }
        return Optional.empty();
    }

    /** CRIU for checkpoints, or why this host has none usable. */
    Criu.Availability criu() {
        if (criu == null) {
            synchronized (this) {
                if (criu == null) {
                    criu = unavailable != null ? new Criu.Availability(null, unavailable)
                            : rootless ? new Criu.Availability(null, "checkpoints need root: CRIU restores a process tree"
                                    + " with privileges a non-root user does not have (uid " + Host.effectiveUid()
                                    + " runs these tests); run them as root")
                            : Criu.probe();
                }
            }
        }
        return criu;
    }
}
