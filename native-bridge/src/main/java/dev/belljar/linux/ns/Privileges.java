package dev.belljar.linux.ns;

import dev.belljar.linux.libc.NativeException;
import dev.belljar.linux.libc.Syscalls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a sandbox process may do beyond what its uid allows: its capability sets and
 * {@code no_new_privs}. They belong to a thread: each call here changes the calling thread, and the
 * threads and programs it starts from then on; threads that run already keep theirs (in a JVM, the
 * launcher's primordial thread, whose sets {@code /proc/self/status} shows, and the JVM's own).
 */
public final class Privileges {
    private static final Path LAST_CAPABILITY = Path.of("/proc/sys/kernel/cap_last_cap");
    private static final int EINVAL = 22;

    private Privileges() {
    }

    /**
     * The capability sets and {@code no_new_privs} as {@code /proc/<pid>/status} shows them.
     *
     * @param effective   what the process may do now
     * @param permitted   what it may take up again
     * @param bounding    the most it or any program it starts can ever have
     * @param noNewPrivs  whether no program it starts can gain privileges (set-user-ID, file capabilities)
     */
    public record Sets(Set<Capability> inheritable, Set<Capability> permitted, Set<Capability> effective,
                       Set<Capability> bounding, Set<Capability> ambient, boolean noNewPrivs) {

        /** Parses the {@code Cap*:} and {@code NoNewPrivs:} lines of a {@code status} file's text. */
        public static Sets parse(String status) {
            Map<String, String> fields = new HashMap<>();
            for (String line : status.split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
                }
            }
            return new Sets(mask(fields, "CapInh"), mask(fields, "CapPrm"), mask(fields, "CapEff"),
                    mask(fields, "CapBnd"), mask(fields, "CapAmb"), "1".equals(fields.get("NoNewPrivs")));
        }

        private static Set<Capability> mask(Map<String, String> fields, String key) {
            String hex = fields.get(key);
            if (hex == null) {
                throw new IllegalArgumentException("the status text has no " + key + " line");
            }
            return Capability.ofMask(Long.parseUnsignedLong(hex, 16));
        }
    }

    /** The sets of the calling thread ({@code /proc/thread-self/status}). */
    public static Sets ofThisThread() {
        return read(Path.of("/proc/thread-self/status"));
    }

    private static Sets read(Path status) {
        try {
            return Sets.parse(Files.readString(status));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + status, e);
        }
    }

    /**
     * Removes every capability but {@code kept} from the bounding set, so that no program this
     * thread starts can have more, and clears the ambient set. Needs {@code SETPCAP}: call it before
     * {@link #keepOnly}.
     */
    public static void boundTo(Set<Capability> kept) {
        for (int number = 0; number <= lastCapability(); number++) {
            if (number >= Capability.values().length || !kept.contains(Capability.values()[number])) {
                try {
                    Syscalls.dropFromBoundingSet(number);
                } catch (NativeException e) {
                    // An older kernel than Belljar knows of: it has no such capability to drop.
                    if (e.errno() != EINVAL) {
                        throw e;
                    }
                }
            }
        }
        Syscalls.clearAmbientCapabilities();
    }

    /**
     * Keeps only {@code kept} of the effective and permitted sets, and nothing inheritable, then sets
     * {@code no_new_privs}: what is dropped cannot be taken up again, by this thread or any program
     * it starts.
     */
    public static void keepOnly(Set<Capability> kept) {
        Sets now = ofThisThread();
        long keptMask = Capability.maskOf(kept);
        Syscalls.setCapabilities(Capability.maskOf(now.effective()) & keptMask,
                Capability.maskOf(now.permitted()) & keptMask, 0);
        Syscalls.setNoNewPrivileges();
    }

    /**
     * The highest capability number to drop: the kernel's, which may know more than
     * {@link Capability}, but never fewer than Belljar knows (a container may show a
     * {@code cap_last_cap} of its own).
     */
    private static int lastCapability() {
        int known = Capability.values().length - 1;
        try {
            return Math.max(known, Integer.parseInt(Files.readString(LAST_CAPABILITY).strip()));
        } catch (IOException | NumberFormatException e) {
            return known;
        }
    }
}
