package dev.belljar.linux.net;

/** Which way bytes go through a {@link Relay}. */
public enum Direction {
    /** From the client in the sandbox to the service it reaches. */
    UPSTREAM,
    /** From the service back to the client. */
    DOWNSTREAM
}
