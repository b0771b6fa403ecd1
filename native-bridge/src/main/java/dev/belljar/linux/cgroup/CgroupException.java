package dev.belljar.linux.cgroup;

/** A cgroup file could not be read, written, or did not keep the value written. Names the file. */
public class CgroupException extends RuntimeException {
    public CgroupException(String message) {
        super(message);
    }

    public CgroupException(String message, Throwable cause) {
        super(message, cause);
    }
}
