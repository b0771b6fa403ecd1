package dev.belljar.internal;

import dev.belljar.linux.cgroup.Cgroup;
import dev.belljar.linux.cgroup.CgroupException;
import dev.belljar.linux.cgroup.CgroupStats;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Samples a sandbox's memory, CPU time and OOM kills while its child runs, for the report's
 * charts. Serialized as a report entry: {@code millis,memoryBytes,cpuNanos,oomKills;...}.
 */
final class Timeline implements AutoCloseable {
    static final String REPORT_KEY = "belljar.timeline";
    static final long INTERVAL_MILLIS = 50;

    record Sample(long millis, long memoryBytes, long cpuNanos, long oomKills) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread sampler;

    private Timeline(Cgroup cgroup, long startNanos) {
        sampler = new Thread(() -> {
            do {
                try {
                    CgroupStats stats = cgroup.stats();
                    synchronized (samples) {
                        samples.add(new Sample((System.nanoTime() - startNanos) / 1_000_000, stats.memoryCurrentBytes(),
                                stats.cpuUsageNanos(), stats.oomKills()));
                    }
                } catch (CgroupException e) {
                    return; // the cgroup is being removed: the timeline ends here
                }
            } while (!awaitStop());
        }, "belljar-timeline-" + cgroup.name());
        sampler.setDaemon(true);
    }

    static Timeline start(Cgroup cgroup, long startNanos) {
        Timeline timeline = new Timeline(cgroup, startNanos);
        timeline.sampler.start();
        return timeline;
    }

    private boolean awaitStop() {
        try {
            return stop.await(INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            return true;
        }
    }

    @Override
    public void close() {
        stop.countDown();
        try {
            sampler.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String encode() {
        StringBuilder s = new StringBuilder();
        synchronized (samples) {
            for (Sample sample : samples) {
                if (s.length() > 0) {
                    s.append(';');
                }
                s.append(sample.millis).append(',').append(sample.memoryBytes).append(',')
                        .append(sample.cpuNanos).append(',').append(sample.oomKills);
            }
        }
        return s.toString();
    }

    static List<Sample> decode(String encoded) {
        List<Sample> decoded = new ArrayList<>();
        if (encoded == null || encoded.isEmpty()) {
            return decoded;
        }
        for (String sample : encoded.split(";")) {
            String[] v = sample.split(",");
            decoded.add(new Sample(Long.parseLong(v[0]), Long.parseLong(v[1]), Long.parseLong(v[2]), Long.parseLong(v[3])));
        }
        return decoded;
    }
}
