package dev.belljar.internal.parent;

import dev.belljar.User;
import dev.belljar.linux.criu.Criu;
import dev.belljar.linux.host.Host;

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
    /** Namespace kinds not every host offers, tried once on first use. */
    private final Map<String, Optional<String>> namespaces = new ConcurrentHashMap<>();
    /** CRIU, probed on the first checkpoint: {@code criu check} takes a while. */
    private volatile Criu.Availability criu;

    private HostProbe(Path unshare, String unavailable) {
        this.unshare = unshare;
        this.unavailable = unavailable;
    }

    static HostProbe run() {
        Optional<Path> unshare = Host.findExecutable("unshare");
        if (unshare.isEmpty()) {
            return unavailable("util-linux 'unshare' is not on the PATH; install util-linux (apt-get install util-linux)");
        }
        if (Host.effectiveUid() != 0) {
            return unavailable("Belljar needs root to create namespaces and cgroups; this JVM runs as uid "
                    + Host.effectiveUid() + " (run the tests as root, e.g. in CI or a VM)");
        }
        return new HostProbe(unshare.get(), null);
    }

    static HostProbe unavailable(String reason) {
        return new HostProbe(null, reason);
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
        if (plan.spec().user() == User.ROOT) {
            Optional<String> reason = namespaces.computeIfAbsent("user",
                    kind -> Host.cannotUnshare(unshare, List.of("--user", "--map-root-user")));
            if (reason.isPresent()) {
                return Optional.of("user = ROOT needs a user namespace: " + reason.get());
            }
        }
        if (plan.spec().uptime().isPresent()) {
            Optional<String> reason = namespaces.computeIfAbsent("time",
                    kind -> Host.cannotUnshare(unshare, List.of("--time", "--fork", "--boottime", "1")));
            if (reason.isPresent()) {
                return Optional.of("uptime needs a time namespace (Linux 5.6+, util-linux 2.36+): " + reason.get());
            }
        }
        return plan.ioUnlimitable();
    }

    /** CRIU for checkpoints, or why this host has none usable. */
    Criu.Availability criu() {
        if (criu == null) {
            synchronized (this) {
                if (criu == null) {
                    criu = unavailable != null ? new Criu.Availability(null, unavailable) : Criu.probe();
                }
            }
        }
        return criu;
    }
}
