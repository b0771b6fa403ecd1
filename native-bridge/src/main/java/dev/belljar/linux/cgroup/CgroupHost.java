package dev.belljar.linux.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** What {@link CgroupManager} needs from one cgroup interface (v1 hierarchies or the unified one). */
interface CgroupHost extends AutoCloseable {

    CgroupVersion version();

    String describe();

    Set<String> missingControllers();

    /** Every reason this host cannot enforce {@code limits}; empty when it can. */
    List<String> cannotEnforce(CgroupLimits limits, boolean hostHasSwap);

    Cgroup create(String name);

    /** The directories sandboxes are made in: one per hierarchy on v1 (co-mounted ones once), one on v2. */
    List<Path> parents();

    /** The sandbox {@code name} made earlier, in the hierarchies where its directory exists; empty where none does. */
    Optional<Cgroup> open(String name);

    /** What {@link #fromArguments} makes this host again from, in another process: {@code v1 memory=DIR ...} or {@code v2 DIR}. */
    List<String> arguments();

    /** Accounting of the parent cgroup: inside a sandbox, without a configured parent, the sandbox itself. */
    CgroupStats parentStats();

    @Override
    void close();

    /** The host {@link #arguments()} describe; it only opens and removes sandboxes (no block devices, no delegation). */
    static CgroupHost fromArguments(List<String> arguments) {
        if (arguments.size() == 2 && arguments.get(0).equals("v2")) {
            return new V2Host(Path.of(arguments.get(1)), ControlFiles.real(), CgroupManager.KILL_TIMEOUT);
        }
        if (!arguments.isEmpty() && arguments.get(0).equals("v1")) {
            Map<String, Path> parents = new LinkedHashMap<>();
            for (String pair : arguments.subList(1, arguments.size())) {
                int equals = pair.indexOf('=');
                if (equals < 1) {
                    throw new IllegalArgumentException("not a controller=directory pair: " + pair);
                }
                parents.put(pair.substring(0, equals), Path.of(pair.substring(equals + 1)));
            }
            return new V1Host(parents, false, ControlFiles.real(), CgroupManager.KILL_TIMEOUT);
        }
        throw new IllegalArgumentException("not the arguments of a cgroup host (v1 controller=directory ..., or"
                + " v2 directory): " + arguments);
    }

    /** A sandbox parent must be writable; a configured one that does not exist yet needs a writable ancestor. */
    static Optional<String> notWritable(Path parent) {
        Path existing = nearestExisting(parent);
        if (Files.isWritable(existing)) {
            return Optional.empty();
        }
        return Optional.of("the sandbox parent cgroup " + existing + " is not writable by user "
                + System.getProperty("user.name") + ": Belljar needs root or a delegated cgroup subtree"
                + " (systemd Delegate=yes), or a configured parent cgroup this user owns");
    }

    /**
     * Why {@code cpus} cannot be given to a sandbox beneath a parent whose effective CPUs are listed
     * in {@code effectiveFile}: CPUs outside them would be refused (v1) or silently dropped (v2).
     */
    static Optional<String> cpusOutsideParent(String cpus, Path effectiveFile, ControlFiles files) {
        Optional<String> offered = files.readIfExists(effectiveFile);
        if (offered.isEmpty()) {
            return Optional.of("cpuset = \"" + cpus + "\" cannot be checked against the sandbox parent: "
                    + ControlFiles.where(effectiveFile) + " does not exist");
        }
        String outside = CpuList.outside(cpus, offered.get());
        return outside.isEmpty() ? Optional.empty() : Optional.of("cpuset = \"" + cpus + "\" asks for CPUs " + outside
                + ", which the sandbox parent does not offer (" + ControlFiles.where(effectiveFile) + ": "
                + offered.get() + "): declare CPUs within " + offered.get());
    }

    /** Reasons the devices of {@code limits}' io limits cannot be throttled. */
    static void ioDevicesUnusable(CgroupLimits limits, BlockDevices devices, List<String> reasons) {
        for (IoLimit io : limits.ioLimits()) {
            if (io.isEmpty()) {
                reasons.add("the io limit on " + io.device() + " sets no value: give readBps, writeBps, readIops"
                        + " or writeIops");
            }
            devices.notAWholeDisk(io.device()).ifPresent(reasons::add);
        }
    }

    static Path nearestExisting(Path dir) {
        Path existing = dir;
        while (!Files.exists(existing) && existing.getParent() != null) {
            existing = existing.getParent();
        }
        return existing;
    }
}
