package dev.belljar.spec;

/**
 * A sandbox spec is invalid. The message names the element, the bad value and what is allowed;
 * {@link #in(String)} prefixes where it was declared.
 */
public class SpecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SpecException(String message) {
        super(message);
    }

    /** The same error, prefixed with its source, e.g. {@code @Isolated on Foo.bar()}. */
    public SpecException in(String source) {
        SpecException located = new SpecException(source + ": " + getMessage());
        located.setStackTrace(getStackTrace());
        return located;
    }

    /**
     * The same error for an element known by a longer name: the spec's own messages start with the
     * bare key ({@code net = "x" is not ...}, {@code io[/data].write = ...}, {@code tmpfs size of ...}),
     * which becomes {@code where} ({@code profiles.a.net = "x" is not ...}); another message gets
     * {@code where} as a prefix.
     */
    public SpecException at(String key, String where) {
        String message = getMessage();
        boolean named = message.startsWith(key + " ") || message.startsWith(key + "[");
        SpecException located = new SpecException(named ? where + message.substring(key.length()) : where + ": " + message);
        located.setStackTrace(getStackTrace());
        return located;
    }
}
