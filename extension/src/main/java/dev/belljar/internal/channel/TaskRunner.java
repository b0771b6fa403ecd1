package dev.belljar.internal.channel;

import dev.belljar.Sandbox;
import dev.belljar.internal.child.JvmOutOfMemoryError;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;

/**
 * Serializes a {@link Sandbox} task in the parent and runs it in the child; holds the Java
 * serialization of everything that crosses the channel as bytes (tasks, values, specs, failures).
 */
public final class TaskRunner {
    private TaskRunner() {
    }

    public static byte[] serialize(Serializable task, String what) {
        try {
            return bytesOf(task);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " cannot be sent to the sandbox's JVM: " + e
                    + ". Use a static method reference, or a lambda that captures only serializable values", e);
        }
    }

    /** {@code value} Java-serialized. */
    static byte[] bytesOf(Serializable value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    public static Object deserialize(byte[] bytes) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                ClassLoader loader = Thread.currentThread().getContextClassLoader();
                return loader == null ? super.resolveClass(desc) : Class.forName(desc.getName(), false, loader);
            }
        }) {
            return in.readObject();
        }
    }

    /** In the child: runs the task and reports how it ended. */
    public static Messages.Finished run(Messages.RunTask request) {
        try {
            Object task = deserialize(request.task());
            Object value;
            if (task instanceof Sandbox.Computation<?> computation) {
                value = computation.call();
            } else {
                ((Sandbox.Task) task).run();
                value = null;
            }
            byte[] serialized = value == null ? null : serialize((Serializable) value, "the task's return value");
            return new Messages.Finished("task", Messages.Status.SUCCESSFUL, null, serialized);
        } catch (OutOfMemoryError e) {
            return new Messages.Finished("task", Messages.Status.FAILED, RemoteThrowable.of(new JvmOutOfMemoryError(e)), null);
        } catch (Throwable e) {
            return new Messages.Finished("task", Messages.Status.FAILED, RemoteThrowable.of(e), null);
        }
    }
}
