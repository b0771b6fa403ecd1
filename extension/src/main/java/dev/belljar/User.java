package dev.belljar;

/** Who an isolated test runs as. */
public enum User {
    /** The identity of the test JVM (default): no user namespace. */
    CALLER,
    /**
     * uid and gid 0 inside a new user namespace, mapped to the caller outside: root in the
     * sandbox's namespaces without being root on the host.
     */
    ROOT,
    /**
     * The unprivileged uid and gid 65534 (nobody): code that must handle EACCES can be tested even
     * when CI runs as root. Files it creates on the host are owned by 65534.
     */
    NOBODY
}
