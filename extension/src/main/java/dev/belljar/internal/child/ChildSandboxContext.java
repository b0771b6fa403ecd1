package dev.belljar.internal.child;

import dev.belljar.SandboxContext;
import dev.belljar.SandboxNetwork;
import dev.belljar.SandboxProcess;
import dev.belljar.internal.channel.TaskRunner;
import dev.belljar.internal.parent.Accounting;
import dev.belljar.linux.cgroup.CgroupManager;
import dev.belljar.spec.SandboxSpec;

import java.io.IOException;
import java.util.OptionalLong;

/** The {@link SandboxContext} of the child JVM: its own cgroup is the sandbox. */
public final class ChildSandboxContext implements SandboxContext {
    private static volatile byte[] serializedSpec;
    private static volatile SandboxSpec spec;
    private static volatile CgroupManager cgroups;
    private static volatile TestRunner.Sender parent;

    /** Set by {@link TestRunner} when it learns the test it runs; read only if the test asks for it. */
    static void setSpec(byte[] serialized) {
        serializedSpec = serialized;
        spec = null;
    }

    /** Set by {@link TestRunner}: changes of the network go to the parent. */
    static void setParent(TestRunner.Sender channel) {
        parent = channel;
    }

    public static boolean available() {
        return serializedSpec != null;
    }

    @Override
    public SandboxSpec spec() {
        if (spec == null) {
            synchronized (ChildSandboxContext.class) {
                if (spec == null) {
                    try {
                        spec = (SandboxSpec) TaskRunner.deserialize(serializedSpec);
                    } catch (IOException | ClassNotFoundException e) {
                        throw new IllegalStateException("the sandbox's JVM cannot read its spec", e);
                    }
                }
            }
        }
        return spec;
    }

    private static SandboxProcess.Usage usage() {
        if (cgroups == null) {
            synchronized (ChildSandboxContext.class) {
                if (cgroups == null) {
                    cgroups = CgroupManager.ofThisProcess();
                }
            }
        }
        return Accounting.usage(cgroups.ownStats());
    }

    @Override
    public long memoryCurrentBytes() {
        return usage().memoryCurrentBytes();
    }

    @Override
    public OptionalLong memoryPeakBytes() {
        return usage().memoryPeakBytes();
    }

    @Override
    public long cpuTimeNanos() {
        return usage().cpuTimeNanos();
    }

    @Override
    public long throttledPeriods() {
        return usage().throttledPeriods();
    }

    @Override
    public long throttledTimeNanos() {
        return usage().throttledTimeNanos();
    }

    @Override
    public long pidsCurrent() {
        return usage().pidsCurrent();
    }

    @Override
    public SandboxNetwork network() {
        if (spec().hostPorts().isEmpty()) {
            throw new IllegalStateException("network() changes the faults of forwarded host ports, and this test"
                    + " forwards none: declare them, e.g. @Isolated(net = PRIVATE, hostPorts = \"5432\")");
        }
        return new ChildSandboxNetwork(parent, 0);
    }

    @Override
    public String toString() {
        return "SandboxContext " + spec().toString().replace('\n', ',');
    }
}
