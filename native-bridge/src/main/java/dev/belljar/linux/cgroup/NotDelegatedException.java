package dev.belljar.linux.cgroup;

/**
 * No cgroup subtree is delegated to the non-root user that runs the tests: its sandboxes could
 * not be limited. The message says what was looked for; the fix is Belljar's one-time setup.
 */
public final class NotDelegatedException extends CgroupException {
    private final String user;
    private final boolean unified;

    NotDelegatedException(String user, boolean unified, String message) {
        super(message);
        this.user = user;
        this.unified = unified;
    }

    /** On cgroup v2, where a systemd user manager may still delegate a scope. */
    boolean unified() {
        return unified;
    }

    /** The user the setup would delegate a subtree to. */
    public String user() {
        return user;
    }
}
