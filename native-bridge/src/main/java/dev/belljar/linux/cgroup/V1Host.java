package dev.belljar.linux.cgroup;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Sandboxes on cgroup v1 hierarchies (also on a v1/v2 hybrid host, whose cgroup2 mount has no controllers). */
final class V1Host implements CgroupHost {

    static final String MEMORY_HIGH_UNSUPPORTED = "memoryHigh is not supported on cgroup v1 (memory.high exists only"
            + " in cgroup v2): remove it or run on a cgroup v2 host";

    private final Map<String, Path> parents;
    private final boolean hybrid;
    private final ControlFiles files;
    private final Duration killTimeout;
    private final BlockDevices devices;

    /** @param parents controller name to the sandbox parent directory in its hierarchy, in CONTROLLERS order */
    V1Host(Map<String, Path> parents, boolean hybrid, ControlFiles files, Duration killTimeout) {
        this(parents, hybrid, files, killTimeout, BlockDevices.real());
    }

    V1Host(Map<String, Path> parents, boolean hybrid, ControlFiles files, Duration killTimeout, BlockDevices devices) {
        this.parents = new LinkedHashMap<>(parents);
        this.hybrid = hybrid;
        this.files = files;
        this.killTimeout = killTimeout;
        this.devices = devices;
    }

    @Override
    public CgroupVersion version() {
        return CgroupVersion.V1;
    }

    @Override
    public String describe() {
        String located = parents.entrySet().stream()
                .map(entry -> entry.getKey() + " at " + entry.getValue())
                .collect(Collectors.joining(", "));
        Set<String> missing = missingControllers();
        return "cgroup v1" + (hybrid ? " (hybrid)" : "") + ": " + located
                + (missing.isEmpty() ? "" : "; not mounted or not delegated: " + String.join(", ", missing));
    }

    @Override
    public Set<String> missingControllers() {
        Set<String> missing = new LinkedHashSet<>(CgroupV1.CONTROLLERS);
        missing.removeAll(parents.keySet());
        return missing;
    }

    @Override
    public List<String> cannotEnforce(CgroupLimits limits, boolean hostHasSwap) {
        List<String> reasons = new ArrayList<>();
        requireMounted("memory", "Belljar limits and accounts memory with it", reasons);
        if (limits.cpuQuotaMicros().isPresent()) {
            requireMounted("cpu", "a cpu limit needs it", reasons);
        }
        if (limits.pidsMax().isPresent()) {
            requireMounted("pids", "a pids limit needs it", reasons);
        }
        if (limits.memoryHighBytes().isPresent()) {
            reasons.add(MEMORY_HIGH_UNSUPPORTED);
        }
        if (limits.cpuWeight().isPresent()) {
            requireMounted("cpu", "a cpu weight needs it (cpu.shares)", reasons);
        }
        limits.cpusetCpus().ifPresent(cpus -> {
            requireMounted("cpuset", "a cpuset needs it", reasons);
            Path cpuset = parents.get("cpuset");
            if (cpuset != null) {
                CgroupHost.cpusOutsideParent(cpus, CgroupHost.nearestExisting(cpuset).resolve("cpuset.effective_cpus"),
                        files).ifPresent(reasons::add);
            }
        });
        if (!limits.ioLimits().isEmpty()) {
            requireMounted("blkio", "an io limit needs it", reasons);
            CgroupHost.ioDevicesUnusable(limits, devices, reasons);
        }
        new TreeSet<>(parents.values()).forEach(parent -> CgroupHost.notWritable(parent).ifPresent(reasons::add));
        Path memory = parents.get("memory");
        if (memory != null) {
            Path memsw = CgroupHost.nearestExisting(memory).resolve("memory.memsw.limit_in_bytes");
            boolean swapRequested = limits.swapBytes().orElse(0) > 0;
            boolean swapUncapped = limits.memoryBytes().isPresent() && hostHasSwap;
            if ((swapRequested || swapUncapped) && !Files.exists(memsw)) {
                reasons.add(swapRequested
                        ? "a swap limit needs " + ControlFiles.where(memsw) + ", which does not exist:"
                                + " swap accounting is off (boot with swapaccount=1)"
                        : "this host has swap (/proc/swaps) but cannot cap it (no " + ControlFiles.where(memsw)
                                + "): the memory limit would not be real, as the sandbox could swap;"
                                + " boot with swapaccount=1 or turn swap off");
            }
        }
        return reasons;
    }

    private void requireMounted(String controller, String why, List<String> reasons) {
        if (!parents.containsKey(controller)) {
            reasons.add("the cgroup v1 " + controller + " controller is not mounted or not delegated to this user"
                    + " (no '" + controller + "' hierarchy in /proc/self/mountinfo, or none of its cgroups writable): " + why);
        }
    }

    /** Creates the directory in every hierarchy; on a failure removes those already created. */
    @Override
    public Cgroup create(String name) {
        if (!parents.containsKey("memory")) {
            throw new CgroupException("cannot create cgroup " + name + ": the memory controller is not mounted");
        }
        Map<String, Path> dirs = new LinkedHashMap<>();
        parents.forEach((controller, parent) -> dirs.put(controller, parent.resolve(name)));
        List<Path> created = new ArrayList<>();
        try {
            for (Path dir : new TreeSet<>(dirs.values())) {
                CgroupDirectories.createMissingParent(dir.getParent());
                CgroupDirectories.create(dir);
                created.add(dir);
            }
            Path cpuset = dirs.get("cpuset");
            if (cpuset != null) {
                initCpuset(cpuset);
            }
        } catch (CgroupException e) {
            created.forEach(dir -> {
                try {
                    CgroupDirectories.remove(dir);
                } catch (CgroupException suppressed) {
                    e.addSuppressed(suppressed);
                }
            });
            throw e;
        }
        return new CgroupV1(name, dirs, files, killTimeout);
    }

    /**
     * A new v1 cpuset cgroup has empty cpuset.cpus and cpuset.mems and refuses processes (ENOSPC)
     * until both are set: copy the parent's, first initializing a configured parent created empty.
     * A declared cpusetCpus replaces the CPUs in {@link Cgroup#apply}.
     */
    private void initCpuset(Path dir) {
        for (String name : List.of("cpuset.cpus", "cpuset.mems")) {
            Path own = dir.resolve(name);
            if (files.readIfExists(own).orElse("").isEmpty()) {
                Path inherited = dir.getParent().resolve(name);
                if (files.read(inherited).isEmpty()) {
                    initCpuset(dir.getParent());
                }
                files.writeVerified(own, files.read(inherited));
            }
        }
    }

    @Override
    public List<Path> parents() {
        return List.copyOf(new TreeSet<>(parents.values()));
    }

    @Override
    public Optional<Cgroup> open(String name) {
        Map<String, Path> dirs = new LinkedHashMap<>();
        parents.forEach((controller, parent) -> {
            Path dir = parent.resolve(name);
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                dirs.put(controller, dir);
            }
        });
        return dirs.isEmpty() ? Optional.empty() : Optional.of(new CgroupV1(name, dirs, files, killTimeout));
    }

    @Override
    public List<String> arguments() {
        List<String> arguments = new ArrayList<>(List.of("v1"));
        parents.forEach((controller, parent) -> arguments.add(controller + "=" + parent));
        return arguments;
    }

    @Override
    public CgroupStats parentStats() {
        return new CgroupV1("parent", parents, files, killTimeout).stats();
    }

    /** Nothing to undo: v1 needs no delegation. */
    @Override
    public void close() {
    }
}
