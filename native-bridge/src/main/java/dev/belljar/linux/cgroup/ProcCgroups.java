package dev.belljar.linux.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The cgroups this process is in, from {@code /proc/self/cgroup}: {@code N:controller[,controller]:/path}
 * per v1 hierarchy, {@code 0::/path} for the unified one.
 */
final class ProcCgroups {

    private record Entry(Set<String> controllers, String path) {
    }

    private final List<Entry> entries;

    private ProcCgroups(List<Entry> entries) {
        this.entries = entries;
    }

    static ProcCgroups read(Path procSelfCgroup) {
        try {
            return new ProcCgroups(Files.readAllLines(procSelfCgroup).stream()
                    .map(line -> line.split(":", 3))
                    .filter(fields -> fields.length == 3)
                    .map(fields -> new Entry(controllers(fields[1]), fields[2]))
                    .toList());
        } catch (IOException e) {
            throw new CgroupException("cannot read " + procSelfCgroup + ": " + ControlFiles.reason(e), e);
        }
    }

    /** The path in the unified hierarchy ({@code 0::/path}). */
    Optional<String> v2Path() {
        return entries.stream().filter(entry -> entry.controllers().isEmpty()).map(Entry::path).findFirst();
    }

    /**
     * The path in the v1 hierarchy mounted with {@code mountOptions}: the line whose controllers
     * ({@code cpu,cpuacct}, {@code name=systemd}) are all among those options.
     */
    Optional<String> v1Path(Set<String> mountOptions) {
        return entries.stream()
                .filter(entry -> !entry.controllers().isEmpty() && mountOptions.containsAll(entry.controllers()))
                .map(Entry::path)
                .findFirst();
    }

    private static Set<String> controllers(String field) {
        return field.isEmpty() ? Set.of() : new HashSet<>(Arrays.asList(field.split(",")));
    }
}
