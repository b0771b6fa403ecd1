package dev.belljar.internal.channel;

import dev.belljar.spec.SandboxSpec;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What parent and child say to each other through the work dir's pipes ({@link ChannelPipes}),
 * and how it is written there: a tag byte, then the fields. Not Java serialization: in a child's cold JVM that
 * costs a large share of its CPU (stream classes, a generated constructor per class, method-handle
 * trees per record; the guide's "How it works inside" has the figures). Only what is Java-serializable by nature goes as serialized bytes: the spec
 * (read in the child only when a test asks for it), a failure, a task and its value.
 */
public final class Messages {
    private static final byte RUN_TEST = 1;
    private static final byte RUN_TASK = 2;
    private static final byte TEST_STARTED = 3;
    private static final byte REPORT_ENTRY = 4;
    private static final byte CONTAINER_FAILED = 5;
    private static final byte FINISHED = 6;
    private static final byte CANNOT_RUN = 7;
    private static final byte EXITING = 8;
    private static final byte DETACH = 9;
    private static final byte BASELINE_TAKEN = 10;
    private static final byte CHANGE_NETWORK = 11;
    private static final byte NETWORK_CHANGED = 12;

    private Messages() {
    }

    /** What the parent asks a child to run: the first message on a channel. */
    public sealed interface Request permits RunTest, RunTask {
    }

    /**
     * Parent to child: run this test. The child starts before it knows which one, so the system
     * properties of the moment (Surefire's systemPropertyVariables, a test's own) come with it.
     */
    public record RunTest(String uniqueId, String displayName, byte[] serializedSpec,
                   Map<String, String> systemProperties) implements Request {
        public static RunTest of(String uniqueId, String displayName, SandboxSpec spec,
                          Map<String, String> systemProperties) {
            return new RunTest(uniqueId, displayName, SERIALIZED_SPECS.computeIfAbsent(spec, Messages::javaSerialized),
                    systemProperties);
        }
    }

    /** Parent to child: run this serialized {@code Sandbox.Task} or {@code Sandbox.Computation}. */
    public record RunTask(byte[] task, Map<String, String> systemProperties) implements Request {
    }

    /** Child to parent: the test's own execution starts now (after the JVM and the launcher started). */
    public record TestStarted() {
    }

    /**
     * Parent to child, the answer to {@link TestStarted}: the sandbox's accounting at the test's
     * start is read. A test's child waits for it, so that what the test itself uses is never
     * counted in its baseline, however late the parent's thread runs.
     */
    public record BaselineTaken() {
    }

    /** Child to parent: the test published a report entry. */
    public record ReportEntry(Map<String, String> values) {
    }

    /** Child to parent: a class or the engine failed around the test (e.g. in {@code @BeforeAll}). */
    public record ContainerFailed(String displayName, RemoteThrowable failure) {
    }

    /**
     * Child to parent: the test or task finished. {@code failure} is null when it passed;
     * {@code value} is what a task returned, serialized (null for tests and void tasks).
     */
    public record Finished(String displayName, Status status, RemoteThrowable failure, byte[] value) {
    }

    /** Child to parent: the requested test was not found, or the child could not run it at all. */
    public record CannotRun(String reason, RemoteThrowable failure) {
    }

    /** Child to parent: its JVM shuts down in order (returned or System.exit), not by a signal. */
    public record Exiting() {
    }

    /**
     * Parent to child, before a checkpoint: close the channel (CRIU cannot dump one end of a
     * connection) and connect again once the pipes are back, i.e. after the restore.
     */
    public record Detach() {
    }

    /**
     * Child to parent, from a test's {@code SandboxContext.network()}: change the faults of the
     * forwarded port {@code port} inside (0: of every one) to {@code change}: {@value #CUT},
     * {@value #RESTORE}, or faults as {@code hostPorts} writes them. The child waits for the answer.
     */
    public record ChangeNetwork(int port, String change) {
        public static final String CUT = "cut";
        public static final String RESTORE = "restore";
    }

    /** Parent to child, the answer to {@link ChangeNetwork}: in effect, or why not ({@code error}). */
    public record NetworkChanged(String error) {
    }

    public enum Status { SUCCESSFUL, ABORTED, FAILED }

    /** Writes {@code message} and flushes; writers of one stream take turns. */
    public static void send(DataOutputStream out, Object message) throws IOException {
        synchronized (out) {
            write(out, message);
            out.flush();
        }
    }

    private static void write(DataOutputStream out, Object message) throws IOException {
        if (message instanceof RunTest m) {
            out.writeByte(RUN_TEST);
            writeString(out, m.uniqueId());
            writeString(out, m.displayName());
            writeBytes(out, m.serializedSpec());
            writeMap(out, m.systemProperties());
        } else if (message instanceof RunTask m) {
            out.writeByte(RUN_TASK);
            writeBytes(out, m.task());
            writeMap(out, m.systemProperties());
        } else if (message instanceof TestStarted) {
            out.writeByte(TEST_STARTED);
        } else if (message instanceof ReportEntry m) {
            out.writeByte(REPORT_ENTRY);
            writeMap(out, m.values());
        } else if (message instanceof ContainerFailed m) {
            out.writeByte(CONTAINER_FAILED);
            writeString(out, m.displayName());
            writeThrowable(out, m.failure());
        } else if (message instanceof Finished m) {
            out.writeByte(FINISHED);
            writeString(out, m.displayName());
            out.writeByte(m.status().ordinal());
            writeThrowable(out, m.failure());
            writeBytes(out, m.value());
        } else if (message instanceof CannotRun m) {
            out.writeByte(CANNOT_RUN);
            writeString(out, m.reason());
            writeThrowable(out, m.failure());
        } else if (message instanceof Exiting) {
            out.writeByte(EXITING);
        } else if (message instanceof Detach) {
            out.writeByte(DETACH);
        } else if (message instanceof BaselineTaken) {
            out.writeByte(BASELINE_TAKEN);
        } else if (message instanceof ChangeNetwork m) {
            out.writeByte(CHANGE_NETWORK);
            out.writeInt(m.port());
            writeString(out, m.change());
        } else if (message instanceof NetworkChanged m) {
            out.writeByte(NETWORK_CHANGED);
            writeString(out, m.error());
        } else {
            throw new IllegalArgumentException("not a channel message: " + message);
        }
    }

    /** The next message; {@link java.io.EOFException} when the other side closed the channel. */
    public static Object receive(DataInputStream in) throws IOException {
        byte tag = in.readByte();
        return switch (tag) {
            case RUN_TEST -> new RunTest(readString(in), readString(in), readBytes(in), readMap(in));
            case RUN_TASK -> new RunTask(readBytes(in), readMap(in));
            case TEST_STARTED -> new TestStarted();
            case REPORT_ENTRY -> new ReportEntry(readMap(in));
            case CONTAINER_FAILED -> new ContainerFailed(readString(in), readThrowable(in));
            case FINISHED -> new Finished(readString(in), Status.values()[in.readByte()], readThrowable(in), readBytes(in));
            case CANNOT_RUN -> new CannotRun(readString(in), readThrowable(in));
            case EXITING -> new Exiting();
            case DETACH -> new Detach();
            case BASELINE_TAKEN -> new BaselineTaken();
            case CHANGE_NETWORK -> new ChangeNetwork(in.readInt(), readString(in));
            case NETWORK_CHANGED -> new NetworkChanged(readString(in));
            default -> throw new IOException("unknown message tag " + tag + " on the sandbox channel");
        };
    }

    /** Each spec's bytes, serialized once: the tests of a class send the same spec again and again. */
    private static final Map<SandboxSpec, byte[]> SERIALIZED_SPECS = new ConcurrentHashMap<>();

    private static byte[] javaSerialized(Serializable value) {
        try {
            return TaskRunner.bytesOf(value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize " + value.getClass().getName(), e);
        }
    }

    /** A failure as Java-serialized bytes, null as none: the mirror of {@link #readThrowable}. */
    private static void writeThrowable(DataOutputStream out, RemoteThrowable failure) throws IOException {
        writeBytes(out, failure == null ? null : javaSerialized(failure));
    }

    private static RemoteThrowable readThrowable(DataInputStream in) throws IOException {
        byte[] bytes = readBytes(in);
        if (bytes == null) {
            return null;
        }
        try {
            return (RemoteThrowable) TaskRunner.deserialize(bytes);
        } catch (ClassNotFoundException e) {
            throw new IOException("cannot read a failure sent by the sandbox's JVM", e);
        }
    }

    /** Null as length -1; no 64 KiB bound as with {@link DataOutputStream#writeUTF}. */
    private static void writeString(DataOutputStream out, String value) throws IOException {
        writeBytes(out, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] bytes = readBytes(in);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static void writeBytes(DataOutputStream out, byte[] value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(value.length);
            out.write(value);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    private static void writeMap(DataOutputStream out, Map<String, String> map) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, String> entry : map.entrySet()) {
            writeString(out, entry.getKey());
            writeString(out, entry.getValue());
        }
    }

    private static Map<String, String> readMap(DataInputStream in) throws IOException {
        int size = in.readInt();
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            map.put(readString(in), readString(in));
        }
        return map;
    }
}
