package dev.belljar;

/**
 * The kernel's OOM killer killed a process of an isolated test's sandbox because the sandbox hit
 * its memory limit. The message states the limit, the peak and the number of kills.
 */
public class OomKilledError extends AssertionError {
    private static final long serialVersionUID = 1L;

    public OomKilledError(String message) {
        super(message);
    }
}
