package dev.belljar.linux.ns;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The Linux capabilities (capabilities(7)), by the number the kernel gives each. */
public enum Capability {
    CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP, LINUX_IMMUTABLE,
    NET_BIND_SERVICE, NET_BROADCAST, NET_ADMIN, NET_RAW, IPC_LOCK, IPC_OWNER, SYS_MODULE, SYS_RAWIO, SYS_CHROOT,
    SYS_PTRACE, SYS_PACCT, SYS_ADMIN, SYS_BOOT, SYS_NICE, SYS_RESOURCE, SYS_TIME, SYS_TTY_CONFIG, MKNOD, LEASE,
    AUDIT_WRITE, AUDIT_CONTROL, SETFCAP, MAC_OVERRIDE, MAC_ADMIN, SYSLOG, WAKE_ALARM, BLOCK_SUSPEND, AUDIT_READ,
    PERFMON, BPF, CHECKPOINT_RESTORE;

    /**
     * What a process keeps by default in runc's own default spec ({@code runc spec}): it may send
     * signals to processes it could not otherwise, bind ports below 1024 and write audit records.
     */
    public static final Set<Capability> RUNC_DEFAULTS = Set.copyOf(EnumSet.of(AUDIT_WRITE, KILL, NET_BIND_SERVICE));

    /** The kernel's number of this capability: its bit in the capability sets. */
    public int number() {
        return ordinal();
    }

    /** The capability named {@code name}, with or without its {@code CAP_} prefix, in any case. */
    public static Optional<Capability> named(String name) {
        String upper = name.trim().toUpperCase(Locale.ROOT);
        String bare = upper.startsWith("CAP_") ? upper.substring(4) : upper;
        return Arrays.stream(values()).filter(c -> c.name().equals(bare)).findFirst();
    }

    /** The capabilities of a set as {@code /proc/<pid>/status} writes it: a hexadecimal bit mask. */
    public static Set<Capability> ofMask(long mask) {
        Set<Capability> set = EnumSet.noneOf(Capability.class);
        for (Capability capability : values()) {
            if ((mask & (1L << capability.number())) != 0) {
                set.add(capability);
            }
        }
        return set;
    }

    /** The bit mask of {@code capabilities}. */
    public static long maskOf(Set<Capability> capabilities) {
        long mask = 0;
        for (Capability capability : capabilities) {
            mask |= 1L << capability.number();
        }
        return mask;
    }
}
