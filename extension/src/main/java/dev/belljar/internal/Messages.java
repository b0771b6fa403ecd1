package dev.belljar.internal;

import java.io.Serializable;
import java.util.Map;

/** What parent and child say to each other over the work dir's Unix-domain socket. */
final class Messages {
    private Messages() {
    }

    /**
     * Parent to child: run this test. The child starts before it knows which one, so the system
     * properties of the moment (Surefire's systemPropertyVariables, a test's own) come with it.
     */
    record RunTest(String uniqueId, String displayName, dev.belljar.spec.SandboxSpec spec,
                   Map<String, String> systemProperties) implements Serializable {
    }

    /** Parent to child: run this serialized {@code Sandbox.Task} or {@code Sandbox.Computation}. */
    record RunTask(byte[] task, Map<String, String> systemProperties) implements Serializable {
    }

    /** Child to parent: the test's own execution starts now (after the JVM and the launcher started). */
    record TestStarted() implements Serializable {
    }

    /** Child to parent: the test published a report entry. */
    record ReportEntry(Map<String, String> values) implements Serializable {
    }

    /** Child to parent: a class or the engine failed around the test (e.g. in {@code @BeforeAll}). */
    record ContainerFailed(String displayName, RemoteThrowable failure) implements Serializable {
    }

    /**
     * Child to parent: the test or task finished. {@code failure} is null when it passed;
     * {@code value} is what a task returned, serialized (null for tests and void tasks).
     */
    record Finished(String displayName, Status status, RemoteThrowable failure, byte[] value) implements Serializable {
    }

    /** Child to parent: the requested test was not found, or the child could not run it at all. */
    record CannotRun(String reason, RemoteThrowable failure) implements Serializable {
    }

    /** Child to parent: its JVM shuts down in order (returned or System.exit), not by a signal. */
    record Exiting() implements Serializable {
    }

    /**
     * Parent to child, before a checkpoint: close the channel (CRIU cannot dump one end of a
     * connection) and connect again once the socket file is back, i.e. after the restore.
     */
    record Detach() implements Serializable {
    }

    enum Status { SUCCESSFUL, ABORTED, FAILED }
}
