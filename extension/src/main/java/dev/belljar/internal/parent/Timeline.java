package dev.belljar.internal.parent;

import dev.belljar.linux.cgroup.Cgroup;
import dev.belljar.linux.cgroup.CgroupException;
import dev.belljar.linux.cgroup.CgroupUsage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples a sandbox's memory, CPU time, throttled time and OOM kills while its child runs, for the report's
 * charts. Serialized into a file of the report directory:
 * {@code millis,memoryBytes,cpuNanos,oomKills,cpuThrottledNanos;...}.
 */
public final class Timeline implements AutoCloseable {
    /**
     * The report entry that names the file with a test's samples, relative to the report
     * directory: the samples themselves (about 500 characters a second) would flood every console
     * and IDE that prints report entries.
     */
    public static final String FILE_KEY = "belljar.timelineFile";
    private static final AtomicLong FILES = new AtomicLong();

    /**
     * Writes {@code encoded} samples into a new file below {@code reportDirectory}, named so that
     * test JVMs writing into one directory never collide.
     *
     * @return its path relative to {@code reportDirectory}, or empty where it could not be written
     */
    public static Optional<String> write(Path reportDirectory, String encoded) {
        String name = "timelines/" + ProcessHandle.current().pid() + "-" + FILES.incrementAndGet() + ".txt";
        try {
            Files.createDirectories(reportDirectory.resolve("timelines"));
            Files.writeString(reportDirectory.resolve(name), encoded);
            return Optional.of(name);
        } catch (IOException e) {
            return Optional.empty();  // the chart is the report's; the test's result does not depend on it
        }
    }
    static final long INTERVAL_MILLIS = 50;
    /** Beyond this many samples every other one is dropped and the interval doubles: long tests keep a small entry. */
    public static final int MAX_SAMPLES = 600;

    public record Sample(long millis, long memoryBytes, long cpuNanos, long oomKills, long cpuThrottledNanos) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread sampler;
    private volatile long intervalMillis = INTERVAL_MILLIS;

    private final Cgroup cgroup;
    private volatile long startNanos;
    /** Between two tests of a shared child: samples would belong to neither. */
    private volatile boolean paused;

    private Timeline(Cgroup cgroup, long startNanos) {
        this.cgroup = cgroup;
        this.startNanos = startNanos;
        sampler = new Thread(() -> {
            do {
                try {
                    sampleNow();
                } catch (CgroupException e) {
                    return; // the cgroup is being removed: the timeline ends here
                }
            } while (!awaitStop());
        }, "belljar-timeline-" + cgroup.name());
        sampler.setDaemon(true);
    }

    /** Takes a sample at once: the sampler does every interval, an OOM kill notification does too. */
    void sampleNow() {
        if (!paused) {
            add(cgroup.usage());
        }
    }

    private void add(CgroupUsage usage) {
        synchronized (samples) {
            samples.add(new Sample((System.nanoTime() - startNanos) / 1_000_000, usage.memoryCurrentBytes(),
                    usage.cpuUsageNanos(), usage.oomKills(), usage.cpuThrottledNanos()));
            if (samples.size() > MAX_SAMPLES) {
                List<Sample> kept = thinned(samples);
                samples.clear();
                samples.addAll(kept);
                intervalMillis *= 2;
            }
        }
    }

    static Timeline start(Cgroup cgroup, long startNanos) {
        Timeline timeline = new Timeline(cgroup, startNanos);
        timeline.sampler.start();
        return timeline;
    }

    /**
     * Ends the samples of a shared child's test with {@code last}, read at its end, and takes none
     * until {@link #restart}: the thread stays for its next test.
     */
    void pause(CgroupUsage last) {
        paused = true;
        add(last);
    }

    /**
     * Starts the samples of a shared child's next test afresh with {@code first}, read as it was
     * sent, counting from {@code startNanos}.
     */
    void restart(long startNanos, CgroupUsage first) {
        synchronized (samples) {
            samples.clear();
            intervalMillis = INTERVAL_MILLIS;
            this.startNanos = startNanos;
            add(first);
        }
        paused = false;
    }

    /** Every other sample, the last one, and every one that saw a new OOM kill. */
    public static List<Sample> thinned(List<Sample> samples) {
        List<Sample> kept = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            boolean newKill = i > 0 && samples.get(i).oomKills() > samples.get(i - 1).oomKills();
            if (i % 2 == 0 || newKill || i == samples.size() - 1) {
                kept.add(samples.get(i));
            }
        }
        return kept;
    }

    private boolean awaitStop() {
        try {
            return stop.await(intervalMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            return true;
        }
    }

    /** Stops sampling after a last sample: the end of the run (and an OOM kill just before it) is on the chart. */
    @Override
    public void close() {
        stop.countDown();
        try {
            sampler.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            sampleNow();
        } catch (CgroupException e) {
            // the cgroup is already gone: the timeline ends with the previous sample
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
                        .append(sample.cpuNanos).append(',').append(sample.oomKills).append(',')
                        .append(sample.cpuThrottledNanos);
            }
        }
        return s.toString();
    }

    public static List<Sample> decode(String encoded) {
        List<Sample> decoded = new ArrayList<>();
        if (encoded == null || encoded.isEmpty()) {
            return decoded;
        }
        for (String sample : encoded.split(";")) {
            String[] v = sample.split(",");
            decoded.add(new Sample(Long.parseLong(v[0]), Long.parseLong(v[1]), Long.parseLong(v[2]), Long.parseLong(v[3]),
                    Long.parseLong(v[4])));
        }
        return decoded;
    }
}
