package dev.belljar.linux.libc;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** Raw libc bindings. Callers use {@link Syscalls}, which checks errno and names the call. */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int getpid();

    int sethostname(String name, long length);

    int setdomainname(String name, long length);

    int setgroups(long size, Pointer list);

    int setresgid(int rgid, int egid, int sgid);

    int setresuid(int ruid, int euid, int suid);

    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    int capset(Pointer header, Pointer data);

    int mount(String source, String target, String filesystemType, long flags, String data);

    int unshare(int flags);

    /** mount_setattr(2) has no glibc wrapper: called through syscall(2). */
    int syscall(long number, int dirfd, String path, int flags, Pointer attributes, long size);

    int inotify_init1(int flags);

    int inotify_add_watch(int fd, String path, int mask);

    int eventfd(int initialValue, int flags);

    int open(String path, int flags);

    int mkfifo(String path, int mode);

    long read(int fd, Pointer buffer, long count);

    long write(int fd, Pointer buffer, long count);

    int poll(Pointer fds, long count, int timeoutMillis);

    int socket(int domain, int type, int protocol);

    int setsockopt(int fd, int level, int name, Pointer value, int length);

    int getsockopt(int fd, int level, int name, Pointer value, Pointer length);

    int bind(int fd, Pointer address, int length);

    int listen(int fd, int backlog);

    int getsockname(int fd, Pointer address, Pointer length);

    int setns(int fd, int nstype);

    int dup3(int oldFd, int newFd, int flags);

    /** pidfd_open(2) and pidfd_getfd(2) have no wrapper in older glibc: called through syscall(2). */
    int syscall(long number, int arg1, int arg2, int arg3);

    int ioctl(int fd, long request, Pointer argp);

    int close(int fd);

    String strerror(int errnum);
}
