package dev.belljar.linux.libc;

import com.sun.jna.Memory;
import com.sun.jna.Native;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * Checked wrappers of the few system calls a sandbox needs after exec. Each failure throws a
 * {@link NativeException} naming the call, its arguments, errno and strerror.
 */
public final class Syscalls {
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

    private static final int PR_CAPBSET_DROP = 24;
    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final int PR_CAP_AMBIENT = 47;
    private static final int PR_CAP_AMBIENT_CLEAR_ALL = 4;
    /** _LINUX_CAPABILITY_VERSION_3: two 32-bit words per set. */
    private static final int CAPABILITY_VERSION_3 = 0x20080522;
    /** struct __user_cap_header_struct: u32 version, int pid. */
    private static final int CAP_HEADER_SIZE = 8;
    /** Two struct __user_cap_data_struct: u32 effective, permitted, inheritable each. */
    private static final int CAP_DATA_SIZE = 24;

    /** No exec of this process or its children can gain privileges (set-user-ID bits, file capabilities). */
    public static void setNoNewPrivileges() {
        check(LibC.INSTANCE.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS, 1)");
    }

    /** Removes capability number {@code capability} from the bounding set, for this process and all it starts. */
    public static void dropFromBoundingSet(int capability) {
        check(LibC.INSTANCE.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0), "prctl(PR_CAPBSET_DROP, " + capability + ")");
    }

    public static void clearAmbientCapabilities() {
        check(LibC.INSTANCE.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0),
                "prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)");
    }

    /**
     * Sets the effective, permitted and inheritable capability sets of the calling thread, each a
     * bit mask by capability number. Threads already running keep theirs: call it before starting
     * any thread that must be limited.
     */
    public static void setCapabilities(long effective, long permitted, long inheritable) {
        try (Memory header = new Memory(CAP_HEADER_SIZE); Memory data = new Memory(CAP_DATA_SIZE)) {
            header.setInt(0, CAPABILITY_VERSION_3);
            header.setInt(4, 0);
            long[] sets = {effective, permitted, inheritable};
            for (int word = 0; word < 2; word++) {
                for (int set = 0; set < 3; set++) {
                    data.setInt(word * 12L + set * 4L, (int) (sets[set] >>> (32 * word)));
                }
            }
            check(LibC.INSTANCE.capset(header, data), "capset(effective=0x" + Long.toHexString(effective)
                    + ", permitted=0x" + Long.toHexString(permitted) + ", inheritable=0x" + Long.toHexString(inheritable) + ")");
        }
    }

    public static final long MS_RDONLY = 0x1;
    public static final long MS_NOSUID = 0x2;
    public static final long MS_NODEV = 0x4;
    public static final long MS_REMOUNT = 0x20;
    public static final long MS_BIND = 0x1000;
    public static final long MS_REC = 0x4000;
    private static final long MS_PRIVATE = 1 << 18;
    private static final int CLONE_NEWNS = 0x20000;
    private static final long SYS_MOUNT_SETATTR = 442;
    private static final int AT_FDCWD = -100;
    private static final int AT_RECURSIVE = 0x8000;
    private static final long MOUNT_ATTR_RDONLY = 0x1;
    /** struct mount_attr: attr_set, attr_clr, propagation, userns_fd, all u64. */
    private static final int MOUNT_ATTR_SIZE = 32;

    public static void mount(String source, String target, String filesystemType, long flags, String data) {
        check(LibC.INSTANCE.mount(source, target, filesystemType, flags, data), "mount(" + quoted(source) + ", "
                + quoted(target) + ", " + quoted(filesystemType) + ", 0x" + Long.toHexString(flags) + ", " + quoted(data) + ")");
    }

    /**
     * Gives the calling thread a mount namespace of its own, a copy of the process's with every
     * mount private: what the thread mounts from here on, no other thread sees, and nothing
     * propagates back. The thread's working directory and root stay as they were.
     */
    public static void unshareMountNamespaceOfThisThread() {
        check(LibC.INSTANCE.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)");
        mount(null, "/", null, MS_REC | MS_PRIVATE, null);
    }

    /**
     * Makes the mount at {@code path} and every mount below it read-only ({@code readOnly}) or
     * writable again, in one call (mount_setattr(2), Linux 5.12+; a remount would miss submounts).
     */
    public static void setReadOnlyRecursively(String path, boolean readOnly) {
        try (Memory attributes = new Memory(MOUNT_ATTR_SIZE)) {
            attributes.clear();
            attributes.setLong(readOnly ? 0 : 8, MOUNT_ATTR_RDONLY);
            check(LibC.INSTANCE.syscall(SYS_MOUNT_SETATTR, AT_FDCWD, path, AT_RECURSIVE, attributes, MOUNT_ATTR_SIZE),
                    "mount_setattr(AT_FDCWD, \"" + path + "\", AT_RECURSIVE, " + (readOnly ? "set" : "clear")
                            + " MOUNT_ATTR_RDONLY)");
        }
    }

    private static final int IN_CLOEXEC = 0x80000;
    private static final int IN_MODIFY = 0x2;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int O_PATH = 0x200000;
    private static final short POLLIN = 0x1;

    /** A file descriptor that becomes readable when {@code file} is modified (inotify, IN_MODIFY). */
    public static int watchModifications(String file) {
        int fd = check(LibC.INSTANCE.inotify_init1(IN_CLOEXEC), "inotify_init1(IN_CLOEXEC)");
        try {
            check(LibC.INSTANCE.inotify_add_watch(fd, file, IN_MODIFY), "inotify_add_watch(\"" + file + "\", IN_MODIFY)");
            return fd;
        } catch (NativeException e) {
            LibC.INSTANCE.close(fd);
            throw e;
        }
    }

    public static int eventFd() {
        return check(LibC.INSTANCE.eventfd(0, EFD_CLOEXEC), "eventfd(0, EFD_CLOEXEC)");
    }

    /** Makes a named pipe at {@code path} with permission bits {@code mode} (less the umask). */
    public static void makeFifo(String path, int mode) {
        check(LibC.INSTANCE.mkfifo(path, mode), "mkfifo(\"" + path + "\", 0" + Integer.toOctalString(mode) + ")");
    }

    /**
     * A descriptor that only names {@code path} (O_PATH): it still reaches the file or directory
     * after something is mounted over it, through {@code /proc/self/fd/N}.
     */
    public static int openPath(String path) {
        return check(LibC.INSTANCE.open(path, O_PATH | O_CLOEXEC), "open(\"" + path + "\", O_PATH)");
    }

    public static int openReadOnly(String path) {
        return check(LibC.INSTANCE.open(path, O_RDONLY | O_CLOEXEC), "open(\"" + path + "\", O_RDONLY)");
    }

    /**
     * Waits until {@code fd} or {@code wakeFd} becomes readable (or {@code timeoutMillis} pass; -1:
     * no timeout), then drains what is there: true when {@code fd} fired, false otherwise.
     */
    public static boolean awaitReadable(int fd, int wakeFd, int timeoutMillis) {
        try (Memory pollfds = new Memory(16); Memory buffer = new Memory(4096)) {
            pollfds.clear();
            pollfds.setInt(0, fd);
            pollfds.setShort(4, POLLIN);
            pollfds.setInt(8, wakeFd);
            pollfds.setShort(12, POLLIN);
            int ready = LibC.INSTANCE.poll(pollfds, 2, timeoutMillis);
            if (ready == -1 && Native.getLastError() == 4) {
                return false; // EINTR: the caller polls again
            }
            check(ready, "poll(" + fd + ", " + wakeFd + ", POLLIN)");
            if (ready == 0 || pollfds.getShort(14) != 0) {
                return false;
            }
            if (LibC.INSTANCE.read(fd, buffer, buffer.size()) == -1) {
                int errno = Native.getLastError();
                throw new NativeException("read(" + fd + ")", errno, Errno.name(errno), LibC.INSTANCE.strerror(errno));
            }
            return true;
        }
    }

    /** Makes the eventfd {@code eventFd} readable: wakes whoever waits on it. */
    public static void signal(int eventFd) {
        try (Memory one = new Memory(8)) {
            one.setLong(0, 1);
            if (LibC.INSTANCE.write(eventFd, one, 8) == -1) {
                int errno = Native.getLastError();
                throw new NativeException("write(" + eventFd + ")", errno, Errno.name(errno), LibC.INSTANCE.strerror(errno));
            }
        }
    }

    public static void close(int fd) {
        LibC.INSTANCE.close(fd);
    }

    private static String quoted(String text) {
        return text == null ? "NULL" : "\"" + text + "\"";
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

    private static final int SOCK_STREAM = 1;
    private static final int SOL_SOCKET = 1;
    private static final int SO_REUSEADDR = 2;
    private static final int SO_ACCEPTCONN = 30;
    /** struct sockaddr_in: sa_family_t family, in_port_t port (network order), struct in_addr, 8 bytes of zero. */
    private static final int SOCKADDR_IN_SIZE = 16;
    private static final int LOOPBACK = 0x7f000001;
    private static final int CLONE_NEWNET = 0x40000000;
    /** The generic numbers that every architecture shares since Linux 5.1 (pidfd_open is 5.3, pidfd_getfd 5.6). */
    private static final long SYS_PIDFD_OPEN = 434;
    private static final long SYS_PIDFD_GETFD = 438;

    /**
     * A TCP socket listening on 127.0.0.1:{@code port} in this thread's network namespace, as a
     * bare descriptor (close-on-exec): what a process inside a sandbox makes for the test JVM to
     * take with {@link #takeDescriptor}.
     */
    public static int listenOnLoopback(int port, int backlog) {
        String call = "socket(AF_INET, SOCK_STREAM, 0)";
        int fd = check(LibC.INSTANCE.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), call);
        try (Memory one = new Memory(4); Memory address = new Memory(SOCKADDR_IN_SIZE)) {
            one.setInt(0, 1);
            check(LibC.INSTANCE.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, one, 4), "setsockopt(" + fd + ", SO_REUSEADDR, 1)");
            address.clear();
            address.setShort(0, (short) AF_INET);
            address.setShort(2, Short.reverseBytes((short) port));
            address.setInt(4, Integer.reverseBytes(LOOPBACK));
            check(LibC.INSTANCE.bind(fd, address, SOCKADDR_IN_SIZE), "bind(" + fd + ", 127.0.0.1:" + port + ")");
            check(LibC.INSTANCE.listen(fd, backlog), "listen(" + fd + ", " + backlog + ")");
            return fd;
        } catch (NativeException e) {
            LibC.INSTANCE.close(fd);
            throw e;
        }
    }

    /** The IPv4 address and port {@code fd} is bound to (getsockname), or null when it is no IPv4 socket. */
    public static InetSocketAddress boundAddress(int fd) {
        try (Memory address = new Memory(128); Memory length = new Memory(4)) {
            address.clear();
            length.setInt(0, (int) address.size());
            check(LibC.INSTANCE.getsockname(fd, address, length), "getsockname(" + fd + ")");
            if (address.getShort(0) != AF_INET) {
                return null;
            }
            int port = Short.toUnsignedInt(Short.reverseBytes(address.getShort(2)));
            try {
                return new InetSocketAddress(InetAddress.getByAddress(address.getByteArray(4, 4)), port);
            } catch (UnknownHostException e) {
                throw new IllegalStateException("four bytes are always an IPv4 address", e);
            }
        }
    }

    /** Whether {@code fd} is a listening socket (SO_ACCEPTCONN); false when it is no socket at all. */
    public static boolean isListening(int fd) {
        try (Memory value = new Memory(4); Memory length = new Memory(4)) {
            value.setInt(0, 0);
            length.setInt(0, 4);
            return LibC.INSTANCE.getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, value, length) == 0 && value.getInt(0) == 1;
        }
    }

    /**
     * Moves the calling thread into the network namespace that {@code fd} names (setns). Only this
     * thread moves: the caller needs CAP_SYS_ADMIN both in the namespace's owning user namespace
     * and in its own.
     */
    public static void enterNetworkNamespace(int fd) {
        check(LibC.INSTANCE.setns(fd, CLONE_NEWNET), "setns(" + fd + ", CLONE_NEWNET)");
    }

    /** A pidfd of process {@code pid}, close-on-exec (pidfd_open(2)). */
    public static int pidfdOpen(long pid) {
        return check(LibC.INSTANCE.syscall(SYS_PIDFD_OPEN, (int) pid, 0, 0), "pidfd_open(" + pid + ")");
    }

    /**
     * A copy, in this process, of descriptor {@code fd} of the process that {@code pidfd} names
     * (pidfd_getfd(2), Linux 5.6+, close-on-exec): the same open file, socket included. Needs
     * ptrace access to that process: the same user, or the owner of its user namespace.
     */
    public static int takeDescriptor(int pidfd, int fd) {
        return check(LibC.INSTANCE.syscall(SYS_PIDFD_GETFD, pidfd, fd, 0), "pidfd_getfd(" + pidfd + ", " + fd + ")");
    }

    /** Makes {@code target} another name of the open file {@code fd}, closing what it named before (dup3). */
    public static void duplicateOnto(int fd, int target) {
        check(LibC.INSTANCE.dup3(fd, target, O_CLOEXEC), "dup3(" + fd + ", " + target + ", O_CLOEXEC)");
    }

    private static int check(int result, String call) {
        if (result == -1) {
            int errno = Native.getLastError();
            throw new NativeException(call, errno, Errno.name(errno), LibC.INSTANCE.strerror(errno));
        }
        return result;
    }
}
