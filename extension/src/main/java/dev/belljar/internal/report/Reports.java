package dev.belljar.internal.report;

import dev.belljar.SandboxResult;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A sandbox's accounting as JUnit report entries: machine-readable values under {@code belljar.*}
 * keys (units in the names) and one line for people under {@value #SUMMARY_KEY}.
 */
public final class Reports {
    public static final String SUMMARY_KEY = "belljar.summary";
    /** Before the summary line each isolated test prints on its standard output. */
    public static final String SUMMARY_LINE_PREFIX = "[belljar] ";
    /** Where the test's sandbox was made, and why this user may make it there: in the run's summary. */
    public static final String SANDBOXES_KEY = "belljar.sandboxes";
    /** How the test's child JVM came to be: fresh, started ahead, restored from a warm template, shared. */
    public static final String CHILD_KEY = "belljar.child";

    private Reports() {
    }

    public static Map<String, String> entries(SandboxResult r) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("belljar.outcome", r.outcome().name());
        r.exitStatus().ifPresent(s -> e.put("belljar.exitStatus", Integer.toString(s)));
        e.put("belljar.wallTimeNanos", Long.toString(r.wallTimeNanos()));
        put(e, "belljar.memory.limitBytes", r.memory().limitBytes());
        put(e, "belljar.memory.highBytes", r.memory().highBytes());
        put(e, "belljar.memory.peakBytes", r.memory().peakBytes());
        e.put("belljar.memory.currentBytes", Long.toString(r.memory().currentBytes()));
        put(e, "belljar.memory.baselineBytes", r.memory().baselineBytes());
        e.put("belljar.memory.oomKills", Long.toString(r.memory().oomKills()));
        r.cpu().limitCores().ifPresent(c -> e.put("belljar.cpu.limitCores", Double.toString(c)));
        e.put("belljar.cpu.usageNanos", Long.toString(r.cpu().usageNanos()));
        e.put("belljar.cpu.userNanos", Long.toString(r.cpu().userNanos()));
        e.put("belljar.cpu.systemNanos", Long.toString(r.cpu().systemNanos()));
        put(e, "belljar.cpu.baselineNanos", r.cpu().baselineNanos());
        e.put("belljar.cpu.periods", Long.toString(r.cpu().periods()));
        e.put("belljar.cpu.throttledPeriods", Long.toString(r.cpu().throttledPeriods()));
        e.put("belljar.cpu.throttledNanos", Long.toString(r.cpu().throttledNanos()));
        r.pids().limit().ifPresent(p -> e.put("belljar.pids.limit", Integer.toString(p)));
        e.put("belljar.pids.current", Long.toString(r.pids().current()));
        put(e, "belljar.pids.peak", r.pids().peak());
        put(e, "belljar.io.readBytes", r.io().readBytes());
        put(e, "belljar.io.writeBytes", r.io().writeBytes());
        r.network().values().forEach(port -> {
            String key = "belljar.net.port." + port.sandboxPort() + ".";
            e.put(key + "hostPort", Integer.toString(port.hostPort()));
            e.put(key + "connections", Long.toString(port.connections()));
            e.put(key + "refused", Long.toString(port.refused()));
            e.put(key + "resets", Long.toString(port.resets()));
            e.put(key + "bytesUpstream", Long.toString(port.bytesUpstream()));
            e.put(key + "bytesDownstream", Long.toString(port.bytesDownstream()));
        });
        stall(e, "cpu", r.pressure().cpu());
        stall(e, "memory", r.pressure().memory());
        stall(e, "io", r.pressure().io());
        e.put(SUMMARY_KEY, r.summary());
        return e;
    }

    /** "Class > method()" for a test of a launcher run: its display names below the engine. */
    static String path(TestPlan plan, TestIdentifier test) {
        List<String> names = new ArrayList<>();
        for (TestIdentifier id = test; id != null; id = plan.getParent(id).orElse(null)) {
            if (id.getParentId().isPresent()) {
                names.add(0, id.getDisplayName());
            }
        }
        return String.join(" > ", names);
    }

    private static void stall(Map<String, String> entries, String resource, Optional<SandboxResult.Stall> stall) {
        stall.ifPresent(s -> {
            entries.put("belljar.pressure." + resource + ".someMicros", Long.toString(s.someMicros()));
            put(entries, "belljar.pressure." + resource + ".fullMicros", s.fullMicros());
        });
    }

    private static void put(Map<String, String> entries, String key, OptionalLong value) {
        value.ifPresent(v -> entries.put(key, Long.toString(v)));
    }
}
