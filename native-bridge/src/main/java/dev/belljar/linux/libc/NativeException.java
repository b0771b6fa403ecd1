package dev.belljar.linux.libc;

/** A system call failed: "sethostname("x") failed: EPERM (Operation not permitted)". */
public class NativeException extends RuntimeException {
    private final String call;
    private final int errno;

    public NativeException(String call, int errno, String errnoName, String description) {
        super(call + " failed: " + errnoName + " (" + description + ")");
        this.call = call;
        this.errno = errno;
    }

    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}
