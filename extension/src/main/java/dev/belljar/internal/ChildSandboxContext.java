package dev.belljar.internal;

import dev.belljar.SandboxContext;
import dev.belljar.linux.cgroup.CgroupManager;
import dev.belljar.linux.cgroup.CgroupStats;
import dev.belljar.spec.SandboxSpec;

import java.util.Optional;
import java.util.OptionalLong;

/** The {@link SandboxContext} of the child JVM: its own cgroup is the sandbox. */
final class ChildSandboxContext implements SandboxContext {
    private static volatile byte[] serializedSpec;
    private static volatile SandboxSpec spec;
    private static volatile CgroupManager cgroups;

    /** Set by {@link ChildMain} when it learns the test it runs; read only if the test asks for it. */
    static void setSpec(byte[] serialized) {
        serializedSpec = serialized;
        spec = null;
    }

    static boolean available() {
        return serializedSpec != null;
    }

    @Override
    public SandboxSpec spec() {
        if (spec == null) {
            synchronized (ChildSandboxContext.class) {
                if (spec == null) {
                    try {
                        spec = (SandboxSpec) TaskRunner.deserialize(serializedSpec);
                    } catch (java.io.IOException | ClassNotFoundException e) {
                        throw new IllegalStateException("the sandbox's JVM cannot read its spec", e);
                    }
                }
            }
        }
        return spec;
    }

    private static CgroupStats stats() {
        if (cgroups == null) {
            synchronized (ChildSandboxContext.class) {
                if (cgroups == null) {
                    cgroups = CgroupManager.detect(Optional.empty());
                }
            }
        }
        return cgroups.ownStats();
    }

    @Override
    public long memoryCurrentBytes() {
        return stats().memoryCurrentBytes();
    }

    @Override
    public OptionalLong memoryPeakBytes() {
        return stats().memoryPeakBytes();
    }

    @Override
    public long cpuTimeNanos() {
        return stats().cpuUsageNanos();
    }

    @Override
    public long throttledPeriods() {
        return stats().cpuThrottledPeriods();
    }

    @Override
    public long throttledTimeNanos() {
        return stats().cpuThrottledNanos();
    }

    @Override
    public long pidsCurrent() {
        return stats().pidsCurrent();
    }

    @Override
    public String toString() {
        return "SandboxContext " + spec().toString().replace('\n', ',');
    }
}
