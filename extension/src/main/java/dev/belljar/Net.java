package dev.belljar;

/** The network an isolated test sees. */
public enum Net {
    /** The host's network namespace: services on the host's localhost stay reachable. */
    HOST,
    /** A new network namespace with only a loopback interface, up. Nothing outside is reachable. */
    PRIVATE,
    /** A new network namespace whose loopback interface is down: no network at all. */
    NONE
}
