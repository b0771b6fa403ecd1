package dev.belljar.linux.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Sandboxes on cgroup v1 hierarchies (also on a v1/v2 hybrid host, whose cgroup2 mount has no controllers). */
final class V1Host implements CgroupHost {

    private final Map<String, Path> parents;
    private final boolean hybrid;
    private final ControlFiles files;
    private final Duration killTimeout;

    /** @param parents controller name to the sandbox parent directory in its hierarchy, in CONTROLLERS order */
    V1Host(Map<String, Path> parents, boolean hybrid, ControlFiles files, Duration killTimeout) {
        this.parents = new LinkedHashMap<>(parents);
        this.hybrid = hybrid;
        this.files = files;
        this.killTimeout = killTimeout;
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
                + (missing.isEmpty() ? "" : "; not mounted: " + String.join(", ", missing));
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
            reasons.add("the cgroup v1 " + controller + " controller is not mounted (no '" + controller
                    + "' hierarchy in /proc/self/mountinfo): " + why);
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

    @Override
    public CgroupStats parentStats() {
        return new CgroupV1("parent", parents, files, killTimeout).stats();
    }

    /** Nothing to undo: v1 needs no delegation. */
    @Override
    public void close() {
    }
}
