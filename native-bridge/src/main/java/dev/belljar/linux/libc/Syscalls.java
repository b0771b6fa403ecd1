package dev.belljar.linux.libc;

import com.sun.jna.Memory;
import com.sun.jna.Native;

import java.nio.charset.StandardCharsets;

/**
 * Checked wrappers of the few system calls a sandbox needs after exec. Each failure throws a
 * {@link NativeException} naming the call, its arguments, errno and strerror.
 */
public final class Syscalls {
    private static final int PR_SET_PDEATHSIG = 1;
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final short IFF_UP = 0x1;
    /** struct ifreq: char ifr_name[IFNAMSIZ = 16] followed by a 24-byte union (flags is a short). */
    private static final int IFREQ_SIZE = 40;
    private static final int IFNAMSIZ = 16;

    private Syscalls() {
    }

    public static void setHostname(String hostname) {
        byte[] bytes = hostname.getBytes(StandardCharsets.UTF_8);
        check(LibC.INSTANCE.sethostname(hostname, bytes.length), "sethostname(\"" + hostname + "\")");
    }

    public static void setDomainname(String domainname) {
        byte[] bytes = domainname.getBytes(StandardCharsets.UTF_8);
        check(LibC.INSTANCE.setdomainname(domainname, bytes.length), "setdomainname(\"" + domainname + "\")");
    }

    /**
     * Becomes {@code uid}/{@code gid} with no supplementary groups, for good: every thread of the
     * process changes (glibc applies set*id process-wide).
     */
    public static void dropPrivileges(int uid, int gid) {
        check(LibC.INSTANCE.setgroups(0, null), "setgroups(0, NULL)");
        check(LibC.INSTANCE.setresgid(gid, gid, gid), "setresgid(" + gid + ", " + gid + ", " + gid + ")");
        check(LibC.INSTANCE.setresuid(uid, uid, uid), "setresuid(" + uid + ", " + uid + ", " + uid + ")");
    }

    /** Asks the kernel to send {@code signal} to this process when its parent dies. */
    public static void setParentDeathSignal(int signal) {
        check(LibC.INSTANCE.prctl(PR_SET_PDEATHSIG, signal, 0, 0, 0), "prctl(PR_SET_PDEATHSIG, " + signal + ")");
    }

    /** Brings a network interface up (SIOCSIFFLAGS with IFF_UP), e.g. {@code lo} in a new network namespace. */
    public static void interfaceUp(String name) {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface name '" + name + "' is longer than " + (IFNAMSIZ - 1));
        }
        int fd = check(LibC.INSTANCE.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket(AF_INET, SOCK_DGRAM, 0)");
        try (Memory ifreq = new Memory(IFREQ_SIZE)) {
            ifreq.clear();
            ifreq.write(0, nameBytes, 0, nameBytes.length);
            check(LibC.INSTANCE.ioctl(fd, SIOCGIFFLAGS, ifreq), "ioctl(SIOCGIFFLAGS, \"" + name + "\")");
            short flags = ifreq.getShort(IFNAMSIZ);
            ifreq.setShort(IFNAMSIZ, (short) (flags | IFF_UP));
            check(LibC.INSTANCE.ioctl(fd, SIOCSIFFLAGS, ifreq), "ioctl(SIOCSIFFLAGS, \"" + name + "\", IFF_UP)");
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }

    private static int check(int result, String call) {
        if (result == -1) {
            int errno = Native.getLastError();
            throw new NativeException(call, errno, Errno.name(errno), LibC.INSTANCE.strerror(errno));
        }
        return result;
    }
}
