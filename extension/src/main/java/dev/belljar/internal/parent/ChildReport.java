package dev.belljar.internal.parent;

import dev.belljar.SandboxResult;
import dev.belljar.internal.channel.Messages;
import dev.belljar.linux.cgroup.CgroupStats;

import java.util.List;
import java.util.Map;

/**
 * Everything the parent learned about one child: how its process ended, what it said over the
 * channel, and the cgroup's accounting at the test's start and at its end.
 *
 * @param exitStatus   the launcher's exit status (128 + signal when the JVM died by a signal)
 * @param orderlyExit  the JVM ran its shutdown hooks (it returned or called System.exit), i.e. no signal
 * @param timedOut     the parent killed the sandbox at its timeout
 * @param baseline     accounting when the test itself started; null when it never started
 * @param stats        the accounting at the end: a shared child's since its test was sent
 * @param peakIncludesEarlierTests the memory peak is the shared child's, earlier tests included, as
 *                     the kernel cannot restart it (cgroup v2)
 * @param timeline     samples of memory, CPU and OOM kills while the child ran ({@link Timeline#encode()})
 * @param network      what each forwarded host port carried, by the port inside
 */
public record ChildReport(
        int exitStatus,
        boolean orderlyExit,
        boolean timedOut,
        long wallTimeNanos,
        Messages.Finished finished,
        List<Messages.ContainerFailed> containerFailures,
        Messages.CannotRun cannotRun,
        List<Map<String, String>> reportEntries,
        CgroupStats baseline,
        CgroupStats stats,
        boolean peakIncludesEarlierTests,
        String timeline,
        Map<Integer, SandboxResult.PortTraffic> network,
        byte[] stdout,
        byte[] stderr) {
}
