package dev.belljar.linux.net;

import dev.belljar.linux.host.Host;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Kernel traffic control on the loopback of a sandbox's network namespace: what the kernel does to
 * every packet there, whoever sends it (a relay shapes only the connections it carries). Runs
 * {@code tc}: a process inside the namespace runs it directly ({@link #inThisNamespace()}), another
 * through {@code nsenter} ({@link #inNamespaceOf}); an ordinary user enters the sandbox's user
 * namespace first, where it is root when the sandbox maps it so ({@code --map-root-user}).
 */
public final class TrafficControl {
    private static final long TIMEOUT_SECONDS = 10;
    /** tbf passes no packet larger than its bucket: the bucket holds at least two of lo's 64 KiB packets. */
    private static final long MIN_BURST_BYTES = 2 * 65_536;

    /**
     * What netem does to each packet.
     *
     * @param delay            how long each packet waits
     * @param jitter           each packet's delay varies by up to this much either way
     * @param lossPercent      the share of packets dropped
     * @param duplicatePercent the share of packets sent twice
     * @param reorderPercent   the share of packets sent at once, ahead of delayed ones (needs a delay)
     */
    public record Netem(Duration delay, Duration jitter, double lossPercent, double duplicatePercent,
                        double reorderPercent) {
        public Netem {
            checkPercent("lossPercent", lossPercent);
            checkPercent("duplicatePercent", duplicatePercent);
            checkPercent("reorderPercent", reorderPercent);
            if (delay.isNegative() || jitter.isNegative()) {
                throw new IllegalArgumentException("Netem delay " + delay + " and jitter " + jitter
                        + " are not allowed: both must be zero or positive");
            }
            if (reorderPercent > 0 && delay.isZero()) {
                throw new IllegalArgumentException("Netem reorderPercent " + reorderPercent
                        + " is not allowed without a delay: netem reorders by sending some packets ahead of delayed ones");
            }
        }

        private static void checkPercent(String element, double percent) {
            if (!(percent >= 0 && percent <= 100)) {
                throw new IllegalArgumentException("Netem " + element + " " + percent + " is not allowed: it must be"
                        + " between 0 and 100");
            }
        }
    }

    private final List<String> nsenter;

    private TrafficControl(List<String> nsenter) {
        this.nsenter = nsenter;
    }

    /**
     * Traffic control of the loopback of this process's own network namespace: it needs
     * CAP_NET_ADMIN there, which a sandbox's process has before it drops its capabilities.
     */
    public static TrafficControl inThisNamespace() {
        return new TrafficControl(List.of(tc().toString()));
    }

    /**
     * Why a sandbox's loopback cannot get netem on this host, tried for real in a throwaway user and
     * network namespace; empty where it can.
     */
    public static Optional<String> cannotEmulate(Path unshare) {
        Optional<Path> tc = Host.findExecutable("tc");
        if (tc.isEmpty()) {
            return Optional.of("tc (iproute2) is not on the PATH: install iproute2");
        }
        Host.CommandResult tried = Host.run(List.of(unshare.toString(), "--user", "--map-root-user", "--net",
                tc.get().toString(), "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"), TIMEOUT_SECONDS);
        return tried.status() == 0 ? Optional.empty()
                : Optional.of("this kernel has no netem queueing discipline (sch_netem): " + tried.firstLine().replaceFirst("\\.$", "")
                        + "; load it as root (modprobe sch_netem) or use a kernel built with CONFIG_NET_SCH_NETEM");
    }

    /**
     * Shapes the loopback: netem where {@code netem} is given (with the rate as netem's own), else
     * tbf for the rate alone.
     *
     * @param bytesPerSecond the rate both ways together; 0 for none
     * @param netem          what netem does to each packet; null for no netem
     */
    public void shape(long bytesPerSecond, Netem netem) {
        if (netem == null) {
            limitRate(bytesPerSecond);
        } else {
            emulate(netem, bytesPerSecond);
        }
    }

    private static Path tc() {
        return Host.findExecutable("tc").orElseThrow(() -> new IllegalStateException("tc (iproute2) is not on the PATH"));
    }

    /** Traffic control of the loopback in the network namespace of process {@code pid}. */
    public static TrafficControl inNamespaceOf(long pid) {
        Path nsenter = Host.findExecutable("nsenter")
                .orElseThrow(() -> new IllegalStateException("nsenter (util-linux) is not on the PATH"));
        List<String> command = new ArrayList<>(List.of(nsenter.toString(), "--target", Long.toString(pid)));
        if (Host.effectiveUid() != 0) {
            command.addAll(List.of("--user", "--preserve-credentials"));
        }
        command.add("--net");
        command.add(tc().toString());
        return new TrafficControl(List.copyOf(command));
    }

    /** Limits what the loopback carries, both ways together, to {@code bytesPerSecond} (tbf). */
    public void limitRate(long bytesPerSecond) {
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("rate " + bytesPerSecond + " bytes per second is not allowed: it must be"
                    + " at least 1 (clear() lifts the limit)");
        }
        long burst = Math.max(bytesPerSecond / 10, MIN_BURST_BYTES);
        tc("qdisc", "replace", "dev", "lo", "root", "tbf", "rate", bytesPerSecond + "bps", "burst", Long.toString(burst),
                "latency", "1s");
    }

    /** Makes netem the loopback's queueing discipline; {@link #netemAvailable()} tells whether the kernel has it. */
    public void emulate(Netem netem) {
        emulate(netem, 0);
    }

    private void emulate(Netem netem, long bytesPerSecond) {
        List<String> arguments = new ArrayList<>(List.of("qdisc", "replace", "dev", "lo", "root", "netem"));
        if (!netem.delay().isZero()) {
            arguments.addAll(List.of("delay", micros(netem.delay())));
            if (!netem.jitter().isZero()) {
                arguments.add(micros(netem.jitter()));
            }
        }
        if (netem.lossPercent() > 0) {
            arguments.addAll(List.of("loss", netem.lossPercent() + "%"));
        }
        if (netem.duplicatePercent() > 0) {
            arguments.addAll(List.of("duplicate", netem.duplicatePercent() + "%"));
        }
        if (netem.reorderPercent() > 0) {
            arguments.addAll(List.of("reorder", netem.reorderPercent() + "%"));
        }
        if (bytesPerSecond > 0) {
            arguments.addAll(List.of("rate", bytesPerSecond + "bps"));
        }
        tc(arguments.toArray(String[]::new));
    }

    /**
     * Whether this kernel has netem (sch_netem, built in or as a module it loads): tried for real on
     * the loopback, which is left as it was found.
     */
    public boolean netemAvailable() {
        String before = queueingDisciplines();
        if (before.contains("netem")) {
            return true;
        }
        Host.CommandResult tried = Host.run(command("qdisc", "add", "dev", "lo", "root", "netem"), TIMEOUT_SECONDS);
        if (tried.status() == 0) {
            clear();
        }
        return tried.status() == 0;
    }

    /** Back to the kernel's default queueing on the loopback: no rate limit, no netem. */
    public void clear() {
        List<String> command = command("qdisc", "del", "dev", "lo", "root");
        Host.CommandResult result = Host.run(command, TIMEOUT_SECONDS);
        // The default discipline cannot be deleted: nothing was set, which is what was asked.
        if (result.status() != 0 && !result.output().contains("Cannot delete qdisc with handle of zero")) {
            throw failed(command, result);
        }
    }

    /** What {@code tc qdisc show dev lo} says: to read back what is in effect. */
    public String queueingDisciplines() {
        return tc("qdisc", "show", "dev", "lo");
    }

    private String tc(String... arguments) {
        List<String> command = command(arguments);
        Host.CommandResult result = Host.run(command, TIMEOUT_SECONDS);
        if (result.status() != 0) {
            throw failed(command, result);
        }
        return result.output();
    }

    private List<String> command(String... arguments) {
        List<String> command = new ArrayList<>(nsenter);
        command.addAll(List.of(arguments));
        return command;
    }

    private static IllegalStateException failed(List<String> command, Host.CommandResult result) {
        return new IllegalStateException(String.join(" ", command) + " failed with status " + result.status() + ": "
                + result.output().strip());
    }

    private static String micros(Duration duration) {
        return duration.toNanos() / 1_000 + "us";
    }
}
