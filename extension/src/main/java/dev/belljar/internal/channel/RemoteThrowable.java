package dev.belljar.internal.channel;

import org.opentest4j.AssertionFailedError;
import org.opentest4j.ValueWrapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A throwable on its way from the child JVM to the parent. The original is sent Java-serialized
 * (same class, message, stack, causes, suppressed, opentest4j expected/actual); when that cannot be
 * written or read back, a placeholder is rebuilt from the plain fields, still an
 * {@link AssertionError} when the original was one.
 */
public final class RemoteThrowable implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String className;
    private final String message;
    private final StackTraceElement[] stackTrace;
    private final RemoteThrowable cause;
    private final List<RemoteThrowable> suppressed;
    private final boolean assertionError;
    private final String expected;
    private final String actual;
    private final byte[] serialized;

    private RemoteThrowable(Throwable t, Map<Throwable, RemoteThrowable> seen, boolean serialize) {
        seen.put(t, this);
        className = t.getClass().getName();
        message = t.getMessage();
        stackTrace = t.getStackTrace();
        assertionError = t instanceof AssertionError;
        if (t instanceof AssertionFailedError failed) {
            expected = failed.isExpectedDefined() ? stringOf(failed.getExpected()) : null;
            actual = failed.isActualDefined() ? stringOf(failed.getActual()) : null;
        } else {
            expected = null;
            actual = null;
        }
        Throwable c = t.getCause();
        cause = c == null || seen.containsKey(c) ? null : new RemoteThrowable(c, seen, false);
        suppressed = new ArrayList<>();
        for (Throwable s : t.getSuppressed()) {
            if (!seen.containsKey(s)) {
                suppressed.add(new RemoteThrowable(s, seen, false));
            }
        }
        serialized = serialize ? trySerialize(withComputedMessage(t)) : null;
    }

    public static RemoteThrowable of(Throwable t) {
        return new RemoteThrowable(t, new IdentityHashMap<>(), true);
    }

    String className() {
        return className;
    }

    String message() {
        return message;
    }

    RemoteThrowable cause() {
        return cause;
    }

    /** The throwable as the parent can best rebuild it. */
    public Throwable rebuild() {
        if (serialized != null) {
            try (ObjectInputStream in = new ContextClassLoaderObjectInputStream(new ByteArrayInputStream(serialized))) {
                return (Throwable) in.readObject();
            } catch (IOException | ClassNotFoundException | ClassCastException | LinkageError e) {
                // Fall through to the placeholder: the class may be missing or not deserializable here.
            }
        }
        return placeholder();
    }

    private Throwable placeholder() {
        String text = message == null ? className : className + ": " + message;
        Throwable rebuilt;
        if (expected != null || actual != null) {
            rebuilt = new AssertionFailedError(message, expected, actual);
        } else if (assertionError) {
            rebuilt = new RemoteAssertionError(text);
        } else {
            rebuilt = new RemoteException(text);
        }
        rebuilt.setStackTrace(stackTrace);
        if (cause != null) {
            rebuilt.initCause(cause.placeholder());
        }
        for (RemoteThrowable s : suppressed) {
            rebuilt.addSuppressed(s.placeholder());
        }
        return rebuilt;
    }

    private static String stringOf(ValueWrapper value) {
        return value == null ? null : value.getStringRepresentation();
    }

    /**
     * A helpful NullPointerException message is computed from the bytecode on first use and is not
     * serialized: compute it here, where the bytecode is. (Only for the top-level throwable; the
     * placeholder fields carry computed messages for causes.)
     */
    private static Throwable withComputedMessage(Throwable t) {
        if (t.getClass() != NullPointerException.class || t.getMessage() == null) {
            return t;
        }
        NullPointerException copy = new NullPointerException(t.getMessage());
        copy.setStackTrace(t.getStackTrace());
        if (t.getCause() != null) {
            copy.initCause(t.getCause());
        }
        for (Throwable s : t.getSuppressed()) {
            copy.addSuppressed(s);
        }
        return copy;
    }

    private static byte[] trySerialize(Throwable t) {
        try {
            return TaskRunner.bytesOf(t);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Resolves classes through the test's class loader, not the one that loaded Belljar. */
    private static final class ContextClassLoaderObjectInputStream extends ObjectInputStream {
        ContextClassLoaderObjectInputStream(ByteArrayInputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            if (loader != null) {
                try {
                    return Class.forName(desc.getName(), false, loader);
                } catch (ClassNotFoundException e) {
                    // fall back to the default resolution (primitives, platform classes)
                }
            }
            return super.resolveClass(desc);
        }
    }

    /** Stands in for an {@link AssertionError} subclass the parent cannot rebuild. */
    static final class RemoteAssertionError extends AssertionError {
        private static final long serialVersionUID = 1L;

        RemoteAssertionError(String message) {
            super(message);
        }
    }

    /** Stands in for an exception the parent cannot rebuild; the message starts with its class name. */
    static final class RemoteException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RemoteException(String message) {
            super(message);
        }
    }
}
