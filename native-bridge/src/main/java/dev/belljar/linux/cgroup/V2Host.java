package dev.belljar.linux.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Sandboxes on the unified hierarchy, as children of one parent cgroup. Before the first sandbox
 * the parent must hand its controllers down ({@code cgroup.subtree_control}); a cgroup that holds
 * processes cannot ("no internal processes"), so they are first moved into the leaf
 * {@value #HOST_LEAF}. {@link #close()} undoes both once no sandbox is left.
 */
final class V2Host implements CgroupHost {

    static final String HOST_LEAF = "belljar-host";

    /**
     * Controllers a sandbox needs, and those enabled where the parent offers them: io (accounting
     * and io limits) and cpuset (cpusetCpus).
     */
    private static final List<String> REQUIRED = List.of("memory", "cpu", "pids");
    private static final List<String> OPTIONAL = List.of("io", "cpuset");
    /** Processes may fork into the parent while others are moved; a few rounds catch them. */
    private static final int MOVE_ROUNDS = 10;

    private final Path parent;
    private final ControlFiles files;
    private final Duration killTimeout;
    private final BlockDevices devices;
    private final Set<String> enabledHere = new LinkedHashSet<>();
    private boolean delegated;
    private boolean leafCreated;

    V2Host(Path parent, ControlFiles files, Duration killTimeout) {
        this(parent, files, killTimeout, BlockDevices.real());
    }

    V2Host(Path parent, ControlFiles files, Duration killTimeout, BlockDevices devices) {
        this.parent = parent;
        this.files = files;
        this.killTimeout = killTimeout;
        this.devices = devices;
    }

    @Override
    public CgroupVersion version() {
        return CgroupVersion.V2;
    }

    @Override
    public String describe() {
        return "cgroup v2: sandboxes under " + parent + ", controllers available: "
                + String.join(" ", available()) + (missingControllers().isEmpty() ? ""
                : "; missing: " + String.join(", ", missingControllers()));
    }

    @Override
    public Set<String> missingControllers() {
        Set<String> missing = new LinkedHashSet<>(REQUIRED);
        missing.addAll(OPTIONAL);
        missing.removeAll(available());
        return missing;
    }

    @Override
    public List<String> cannotEnforce(CgroupLimits limits, boolean hostHasSwap) {
        List<String> reasons = new ArrayList<>();
        CgroupHost.notWritable(parent).ifPresent(reasons::add);
        Set<String> available = available();
        requireAvailable("memory", "Belljar limits and accounts memory with it", available, reasons);
        if (limits.cpuQuotaMicros().isPresent()) {
            requireAvailable("cpu", "a cpu limit needs it", available, reasons);
        }
        if (limits.pidsMax().isPresent()) {
            requireAvailable("pids", "a pids limit needs it", available, reasons);
        }
        if (limits.cpuWeight().isPresent()) {
            requireAvailable("cpu", "a cpu weight needs it", available, reasons);
        }
        limits.cpusetCpus().ifPresent(cpus -> {
            requireAvailable("cpuset", "a cpuset needs it", available, reasons);
            if (available.contains("cpuset")) {
                CgroupHost.cpusOutsideParent(cpus, parent.resolve("cpuset.cpus.effective"), files)
                        .ifPresent(reasons::add);
            }
        });
        if (!limits.ioLimits().isEmpty()) {
            requireAvailable("io", "an io limit needs it", available, reasons);
            CgroupHost.ioDevicesUnusable(limits, devices, reasons);
        }
        // A sandbox gets memory.swap.max where its parent has one; the root cgroup has neither file,
        // and there swap accounting cannot be told before a child exists.
        Path swapMax = parent.resolve("memory.swap.max");
        boolean swapKnownMissing = Files.exists(parent.resolve("memory.max")) && !Files.exists(swapMax);
        boolean swapRequested = limits.swapBytes().orElse(0) > 0;
        boolean swapUncapped = limits.memoryBytes().isPresent() && hostHasSwap;
        if (swapKnownMissing && (swapRequested || swapUncapped)) {
            reasons.add(swapRequested
                    ? "a swap limit needs memory.swap.max, which " + parent + " lacks: the kernel has no swap"
                            + " accounting (CONFIG_MEMCG_SWAP, or boot with swapaccount=1)"
                    : "this host has swap (/proc/swaps) but cannot cap it (no memory.swap.max in " + parent
                            + "): the memory limit would not be real, as the sandbox could swap;"
                            + " enable swap accounting or turn swap off");
        }
        return reasons;
    }

    private void requireAvailable(String controller, String why, Set<String> available, List<String> reasons) {
        if (!available.contains(controller)) {
            reasons.add("the " + controller + " controller is not delegated to the sandbox parent " + parent
                    + " (its cgroup.controllers offers: " + (available.isEmpty() ? "nothing" : String.join(" ", available))
                    + "): " + why);
        }
    }

    @Override
    public synchronized Cgroup create(String name) {
        if (name.equals(HOST_LEAF)) {
            throw new IllegalArgumentException(HOST_LEAF + " is reserved for the processes of the parent cgroup");
        }
        CgroupDirectories.createMissingParent(parent);
        if (!delegated) {
            delegateControllers();
            delegated = true;
        }
        Path dir = parent.resolve(name);
        CgroupDirectories.create(dir);
        return new CgroupV2(name, dir, files, killTimeout);
    }

    @Override
    public List<Path> parents() {
        return List.of(parent);
    }

    @Override
    public Optional<Cgroup> open(String name) {
        Path dir = parent.resolve(name);
        return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                ? Optional.of(new CgroupV2(name, dir, files, killTimeout)) : Optional.empty();
    }

    @Override
    public List<String> arguments() {
        return List.of("v2", parent.toString());
    }

    @Override
    public CgroupStats parentStats() {
        return new CgroupV2("parent", parent, files, killTimeout).stats();
    }

    private void delegateControllers() {
        Set<String> wanted = new LinkedHashSet<>(REQUIRED);
        wanted.addAll(OPTIONAL);
        wanted.retainAll(available());
        wanted.removeAll(ControlFiles.words(files.read(subtreeControl())));
        if (wanted.isEmpty()) {
            return;
        }
        String enable = wanted.stream().map(controller -> "+" + controller).collect(Collectors.joining(" "));
        try {
            files.write(subtreeControl(), enable);
        } catch (CgroupException busy) {
            if (files.readPids(parent.resolve("cgroup.procs")).isEmpty()) {
                throw busy;
            }
            moveProcesses(parent, leaf());
            files.write(subtreeControl(), enable);
        }
        enabledHere.addAll(wanted);
        Set<String> nowEnabled = ControlFiles.words(files.read(subtreeControl()));
        if (!nowEnabled.containsAll(wanted)) {
            throw new CgroupException(ControlFiles.where(subtreeControl()) + ": wrote " + enable
                    + " but the kernel kept " + String.join(" ", nowEnabled));
        }
    }

    private Path leaf() {
        Path leaf = parent.resolve(HOST_LEAF);
        if (!Files.isDirectory(leaf)) {
            CgroupDirectories.create(leaf);
            leafCreated = true;
        }
        return leaf;
    }

    /** Best effort, once no sandbox is left: another cgroup under the parent may still need the controllers. */
    @Override
    public synchronized void close() {
        if (enabledHere.isEmpty() && !leafCreated || hasChildrenOtherThanLeaf()) {
            return;
        }
        if (!enabledHere.isEmpty()) {
            files.write(subtreeControl(),
                    enabledHere.stream().map(controller -> "-" + controller).collect(Collectors.joining(" ")));
            enabledHere.clear();
        }
        if (leafCreated) {
            Path leaf = parent.resolve(HOST_LEAF);
            moveProcesses(leaf, parent);
            CgroupDirectories.remove(leaf);
            leafCreated = false;
        }
        delegated = false;
    }

    private boolean hasChildrenOtherThanLeaf() {
        try (Stream<Path> children = Files.list(parent)) {
            return children.anyMatch(child -> Files.isDirectory(child) && !child.getFileName().toString().equals(HOST_LEAF));
        } catch (IOException e) {
            throw new CgroupException("cannot list " + parent + ": " + ControlFiles.reason(e), e);
        }
    }

    /** Moves every process of {@code from} into {@code to}; a process that exits meanwhile is skipped. */
    private void moveProcesses(Path from, Path to) {
        Path fromProcs = from.resolve("cgroup.procs");
        Path toProcs = to.resolve("cgroup.procs");
        for (int round = 0; round < MOVE_ROUNDS; round++) {
            List<Long> pids = files.readPids(fromProcs);
            if (pids.isEmpty()) {
                return;
            }
            for (long pid : pids) {
                try {
                    files.write(toProcs, Long.toString(pid));
                } catch (CgroupException e) {
                    if (ProcessHandle.of(pid).isPresent()) {
                        throw e;
                    }
                }
            }
        }
        throw new CgroupException("cannot empty " + fromProcs + ": processes " + files.readPids(fromProcs)
                + " keep appearing");
    }

    private Set<String> available() {
        Path controllers = parent.resolve("cgroup.controllers");
        return Files.exists(controllers) ? ControlFiles.words(files.read(controllers)) : Set.of();
    }

    private Path subtreeControl() {
        return parent.resolve("cgroup.subtree_control");
    }
}
