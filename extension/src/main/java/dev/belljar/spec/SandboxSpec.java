package dev.belljar.spec;

import dev.belljar.Net;
import dev.belljar.User;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What a sandbox looks like: limits and namespaces. Every value is optional; {@link #overriddenBy}
 * merges a more specific spec over this one. Built from annotations, YAML or code.
 */
public final class SandboxSpec implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** Size of a tmpfs that declares none. */
    public static final long DEFAULT_TMPFS_BYTES = 64L << 20;

    private final Long memoryBytes;
    private final Long swapBytes;
    private final Double cpuCores;
    private final Integer pids;
    private final Net net;
    private final Boolean pidNamespace;
    private final String hostname;
    private final Duration timeout;
    private final String domainname;
    private final User user;
    private final Duration uptime;
    private final Long memoryHighBytes;
    private final Integer cpuWeight;
    private final String cpuset;
    private final java.util.TreeMap<String, IoThrottle> io;
    private final java.util.ArrayList<String> readOnly;
    private final java.util.ArrayList<String> writable;
    private final java.util.LinkedHashMap<String, Long> tmpfs;
    private final java.util.ArrayList<String> hidden;
    private final Boolean cgroupNamespace;
    private final Expectation expect;

    private SandboxSpec(Builder b) {
        memoryBytes = b.memoryBytes;
        swapBytes = b.swapBytes;
        cpuCores = b.cpuCores;
        pids = b.pids;
        net = b.net;
        pidNamespace = b.pidNamespace;
        hostname = b.hostname;
        timeout = b.timeout;
        domainname = b.domainname;
        user = b.user;
        uptime = b.uptime;
        memoryHighBytes = b.memoryHighBytes;
        cpuWeight = b.cpuWeight;
        cpuset = b.cpuset;
        io = new java.util.TreeMap<>(b.io);
        readOnly = new java.util.ArrayList<>(b.readOnly);
        writable = new java.util.ArrayList<>(b.writable);
        tmpfs = new java.util.LinkedHashMap<>(b.tmpfs);
        hidden = new java.util.ArrayList<>(b.hidden);
        cgroupNamespace = b.cgroupNamespace;
        expect = b.expect;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static SandboxSpec empty() {
        return builder().build();
    }

    public OptionalLong memoryBytes() {
        return memoryBytes == null ? OptionalLong.empty() : OptionalLong.of(memoryBytes);
    }

    public OptionalLong swapBytes() {
        return swapBytes == null ? OptionalLong.empty() : OptionalLong.of(swapBytes);
    }

    public OptionalDouble cpuCores() {
        return cpuCores == null ? OptionalDouble.empty() : OptionalDouble.of(cpuCores);
    }

    public OptionalInt pids() {
        return pids == null ? OptionalInt.empty() : OptionalInt.of(pids);
    }

    /** The network, {@link Net#HOST} unless declared. */
    public Net net() {
        return net == null ? Net.HOST : net;
    }

    /** Whether the sandbox gets its own PID namespace; {@code true} unless declared otherwise. */
    public boolean pidNamespace() {
        return pidNamespace == null || pidNamespace;
    }

    public Optional<String> hostname() {
        return Optional.ofNullable(hostname);
    }

    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    public Optional<String> domainname() {
        return Optional.ofNullable(domainname);
    }

    /** Who the test runs as, {@link User#CALLER} unless declared. */
    public User user() {
        return user == null ? User.CALLER : user;
    }

    /** Offset of the monotonic and boot-time clocks in a time namespace; empty: no time namespace. */
    public Optional<Duration> uptime() {
        return Optional.ofNullable(uptime);
    }

    /** memory.high: reclaim and throttling before the kill (cgroup v2). */
    public OptionalLong memoryHighBytes() {
        return memoryHighBytes == null ? OptionalLong.empty() : OptionalLong.of(memoryHighBytes);
    }

    public OptionalInt cpuWeight() {
        return cpuWeight == null ? OptionalInt.empty() : OptionalInt.of(cpuWeight);
    }

    /** The CPUs the sandbox may run on, as declared (a kernel CPU list). */
    public Optional<String> cpuset() {
        return Optional.ofNullable(cpuset);
    }

    /** Throttling per path: the block device behind each path is limited. */
    public java.util.Map<String, IoThrottle> io() {
        return java.util.Collections.unmodifiableMap(io);
    }

    /** Paths made read-only inside (with their submounts). */
    public java.util.List<String> readOnly() {
        return java.util.Collections.unmodifiableList(readOnly);
    }

    /** Writable exceptions under read-only paths. */
    public java.util.List<String> writable() {
        return java.util.Collections.unmodifiableList(writable);
    }

    /** Fresh tmpfs mounts: path to size in bytes. */
    public java.util.Map<String, Long> tmpfs() {
        return java.util.Collections.unmodifiableMap(tmpfs);
    }

    /** Paths made empty and unreadable inside. */
    public java.util.List<String> hidden() {
        return java.util.Collections.unmodifiableList(hidden);
    }

    /** Whether the sandbox gets its own cgroup namespace with the cgroupfs mounted again. */
    public boolean cgroupNamespace() {
        return cgroupNamespace != null && cgroupNamespace;
    }

    /** What the kernel should do to the test; {@link Expectation#none()} unless declared. */
    public Expectation expect() {
        return expect;
    }

    /** This spec with every value that {@code specific} declares replaced by that value; expectations merge. */
    public SandboxSpec overriddenBy(SandboxSpec specific) {
        Builder b = toBuilder();
        if (specific.memoryBytes != null) b.memoryBytes = specific.memoryBytes;
        if (specific.swapBytes != null) b.swapBytes = specific.swapBytes;
        if (specific.cpuCores != null) b.cpuCores = specific.cpuCores;
        if (specific.pids != null) b.pids = specific.pids;
        if (specific.net != null) b.net = specific.net;
        if (specific.pidNamespace != null) b.pidNamespace = specific.pidNamespace;
        if (specific.hostname != null) b.hostname = specific.hostname;
        if (specific.timeout != null) b.timeout = specific.timeout;
        if (specific.domainname != null) b.domainname = specific.domainname;
        if (specific.user != null) b.user = specific.user;
        if (specific.uptime != null) b.uptime = specific.uptime;
        if (specific.memoryHighBytes != null) b.memoryHighBytes = specific.memoryHighBytes;
        if (specific.cpuWeight != null) b.cpuWeight = specific.cpuWeight;
        if (specific.cpuset != null) b.cpuset = specific.cpuset;
        b.io.putAll(specific.io);
        addAllNew(b.readOnly, specific.readOnly);
        addAllNew(b.writable, specific.writable);
        b.tmpfs.putAll(specific.tmpfs);
        addAllNew(b.hidden, specific.hidden);
        if (specific.cgroupNamespace != null) b.cgroupNamespace = specific.cgroupNamespace;
        b.expect = expect.overriddenBy(specific.expect);
        return b.build();
    }

    private static void addAllNew(java.util.List<String> into, java.util.List<String> more) {
        for (String path : more) {
            if (!into.contains(path)) {
                into.add(path);
            }
        }
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.memoryBytes = memoryBytes;
        b.swapBytes = swapBytes;
        b.cpuCores = cpuCores;
        b.pids = pids;
        b.net = net;
        b.pidNamespace = pidNamespace;
        b.hostname = hostname;
        b.timeout = timeout;
        b.domainname = domainname;
        b.user = user;
        b.uptime = uptime;
        b.memoryHighBytes = memoryHighBytes;
        b.cpuWeight = cpuWeight;
        b.cpuset = cpuset;
        b.io.putAll(io);
        b.readOnly.addAll(readOnly);
        b.writable.addAll(writable);
        b.tmpfs.putAll(tmpfs);
        b.hidden.addAll(hidden);
        b.cgroupNamespace = cgroupNamespace;
        b.expect = expect;
        return b;
    }

    /** The declared values as YAML, in the syntax the annotation and spec files accept. */
    @Override
    public String toString() {
        Map<String, String> values = new LinkedHashMap<>();
        if (memoryBytes != null) values.put("memory", Sizes.format(memoryBytes));
        if (swapBytes != null) values.put("swap", Sizes.format(swapBytes));
        if (cpuCores != null) values.put("cpu", stripZeros(cpuCores));
        if (pids != null) values.put("pids", pids.toString());
        if (net != null) values.put("net", net.name());
        if (pidNamespace != null) values.put("pid", pidNamespace.toString());
        if (hostname != null) values.put("hostname", hostname);
        if (timeout != null) values.put("timeout", Durations.format(timeout));
        if (domainname != null) values.put("domainname", domainname);
        if (user != null) values.put("user", user.name());
        if (uptime != null) values.put("uptime", Durations.format(uptime));
        if (memoryHighBytes != null) values.put("memoryHigh", Sizes.format(memoryHighBytes));
        if (cpuWeight != null) values.put("cpuWeight", cpuWeight.toString());
        if (cpuset != null) values.put("cpuset", "\"" + cpuset + "\"");
        if (!readOnly.isEmpty()) values.put("readOnly", yamlList(readOnly));
        if (!writable.isEmpty()) values.put("writable", yamlList(writable));
        if (!tmpfs.isEmpty()) {
            values.put("tmpfs", yamlList(tmpfs.entrySet().stream()
                    .map(e -> e.getKey() + ":" + Sizes.format(e.getValue())).toList()));
        }
        if (!hidden.isEmpty()) values.put("hidden", yamlList(hidden));
        if (cgroupNamespace != null) values.put("cgroupNamespace", cgroupNamespace.toString());
        if (!io.isEmpty()) {
            StringBuilder entries = new StringBuilder("{ ");
            io.forEach((path, throttle) -> entries.append(entries.length() > 2 ? ", " : "")
                    .append('"').append(path).append("\": \"").append(throttle).append('"'));
            values.put("io", entries.append(" }").toString());
        }
        if (!expect.isEmpty()) values.put("expect", expect.toString());
        if (values.isEmpty()) {
            return "{}";
        }
        StringBuilder yaml = new StringBuilder();
        values.forEach((key, value) -> yaml.append(key).append(": ").append(value).append('\n'));
        return yaml.toString().stripTrailing();
    }

    private static String yamlList(java.util.List<String> items) {
        return "[" + String.join(", ", items.stream().map(item -> "\"" + item + "\"").toList()) + "]";
    }

    private static String stripZeros(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SandboxSpec other && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return Objects.hash(toString());
    }

    /** Builds a spec; the string setters accept the annotation's syntax and throw {@link SpecException} otherwise. */
    public static final class Builder {
        private Long memoryBytes;
        private Long swapBytes;
        private Double cpuCores;
        private Integer pids;
        private Net net;
        private Boolean pidNamespace;
        private String hostname;
        private Duration timeout;
        private String domainname;
        private User user;
        private Duration uptime;
        private Long memoryHighBytes;
        private Integer cpuWeight;
        private String cpuset;
        private final java.util.TreeMap<String, IoThrottle> io = new java.util.TreeMap<>();
        private final java.util.List<String> readOnly = new java.util.ArrayList<>();
        private final java.util.List<String> writable = new java.util.ArrayList<>();
        private final java.util.Map<String, Long> tmpfs = new java.util.LinkedHashMap<>();
        private final java.util.List<String> hidden = new java.util.ArrayList<>();
        private Boolean cgroupNamespace;
        private Expectation expect = Expectation.none();

        private Builder() {
        }

        public Builder memory(String size) {
            return memoryBytes(Sizes.parse(size, "memory"));
        }

        public Builder memoryBytes(long bytes) {
            memoryBytes = requirePositive(bytes, "memory");
            return this;
        }

        public Builder swap(String size) {
            swapBytes = Sizes.parse(size, "swap", true);
            return this;
        }

        public Builder cpu(String cores) {
            cpuCores = Cores.parse(cores, "cpu");
            return this;
        }

        public Builder pids(int max) {
            if (max < 1) {
                throw new SpecException("pids = " + max + " is out of range: use a maximum of at least 1 process");
            }
            pids = max;
            return this;
        }

        public Builder net(Net value) {
            net = Objects.requireNonNull(value, "net");
            return this;
        }

        public Builder pidNamespace(boolean enabled) {
            pidNamespace = enabled;
            return this;
        }

        public Builder hostname(String name) {
            hostname = Hostnames.validate(name, "hostname");
            return this;
        }

        public Builder timeout(String duration) {
            return timeout(Durations.parse(duration, "timeout"));
        }

        public Builder timeout(Duration duration) {
            if (duration.isNegative() || duration.isZero()) {
                throw new SpecException("timeout = " + duration + " is out of range: use a positive duration, e.g. 30s");
            }
            timeout = duration;
            return this;
        }

        public Builder domainname(String name) {
            domainname = Hostnames.validate(name, "domainname");
            return this;
        }

        public Builder user(User value) {
            user = Objects.requireNonNull(value, "user");
            return this;
        }

        /** Offsets the monotonic and boot-time clocks by this much in a new time namespace, e.g. {@code 30d}. */
        public Builder uptime(String duration) {
            Duration offset = Durations.parse(duration, "uptime");
            if (offset.getNano() != 0 || offset.isZero()) {
                throw new SpecException("uptime = \"" + duration + "\" is out of range: use whole seconds above 0,"
                        + " e.g. 30d or 3600s (time namespaces offset clocks by seconds)");
            }
            uptime = offset;
            return this;
        }

        public Builder memoryHigh(String size) {
            memoryHighBytes = Sizes.parse(size, "memoryHigh");
            return this;
        }

        public Builder cpuWeight(int weight) {
            if (weight < 1 || weight > 10_000) {
                throw new SpecException("cpuWeight = " + weight + " is out of range: use 1 to 10000 (100 is the kernel's default)");
            }
            cpuWeight = weight;
            return this;
        }

        /** A kernel CPU list: {@code 0}, {@code 0-3}, {@code 0-1,3}. */
        public Builder cpuset(String cpus) {
            if (!cpus.trim().matches("\\d+(-\\d+)?(,\\d+(-\\d+)?)*")) {
                throw new SpecException("cpuset = \"" + cpus + "\" is not a CPU list: use CPU numbers and ranges,"
                        + " e.g. 0, 0-3 or 0-1,3");
            }
            cpuset = cpus.trim();
            return this;
        }

        /** Throttles the block device behind {@code path}, e.g. {@code io("/data", "write=1M")}. */
        public Builder io(String path, String throttle) {
            if (!path.startsWith("/")) {
                throw new SpecException("io path \"" + path + "\" is not absolute: name a path such as /tmp or /data");
            }
            io.put(path, IoThrottle.parse(throttle, "io[" + path + "]"));
            return this;
        }

        /** One annotation entry: {@code "/data: write=1M, riops=100"}. */
        public Builder io(String entry) {
            int colon = entry.indexOf(':');
            if (colon < 0) {
                throw new SpecException("io = \"" + entry + "\" names no path: write \"/data: write=1M\"");
            }
            return io(entry.substring(0, colon).trim(), entry.substring(colon + 1).trim());
        }

        /** Makes {@code path} (and what is mounted below it) read-only inside; {@code "/"}: the whole host. */
        public Builder readOnly(String path) {
            addAllNew(readOnly, java.util.List.of(absolute(path, "readOnly")));
            return this;
        }

        /** Keeps {@code path} writable under a read-only path. */
        public Builder writable(String path) {
            addAllNew(writable, java.util.List.of(absolute(path, "writable")));
            return this;
        }

        /** A fresh tmpfs over an existing directory: {@code "/tmp"} (64M) or {@code "/tmp:16M"}. */
        public Builder tmpfs(String entry) {
            int colon = entry.indexOf(':');
            String path = absolute(colon < 0 ? entry : entry.substring(0, colon), "tmpfs");
            if (!java.nio.file.Files.isDirectory(java.nio.file.Path.of(path))) {
                throw new SpecException("tmpfs = \"" + entry + "\": " + path + " is not an existing directory; a tmpfs"
                        + " covers a directory that exists (Belljar creates nothing on the host)");
            }
            long size = colon < 0 ? DEFAULT_TMPFS_BYTES : Sizes.parse(entry.substring(colon + 1), "tmpfs size of " + path);
            tmpfs.put(path, size);
            return this;
        }

        /** Makes {@code path} empty and unreadable inside. */
        public Builder hidden(String path) {
            String absolute = absolute(path, "hidden");
            if (absolute.equals("/")) {
                throw new SpecException("hidden = \"/\" would hide everything, the JVM too: name the paths to hide");
            }
            addAllNew(hidden, java.util.List.of(absolute));
            return this;
        }

        public Builder cgroupNamespace(boolean enabled) {
            cgroupNamespace = enabled;
            return this;
        }

        private static String absolute(String path, String key) {
            String trimmed = path.trim();
            if (!trimmed.startsWith("/") || trimmed.contains("/../") || trimmed.endsWith("/..")) {
                throw new SpecException(key + " = \"" + path + "\" is not an absolute path: use e.g. /tmp or /var/data");
            }
            return trimmed.length() > 1 && trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
        }

        public Builder expect(Expectation expectation) {
            expect = java.util.Objects.requireNonNull(expectation, "expectation");
            return this;
        }

        public SandboxSpec build() {
            return new SandboxSpec(this);
        }

        private static long requirePositive(long bytes, String key) {
            if (bytes <= 0) {
                throw new SpecException(key + " = " + bytes + " is out of range: use a positive size, e.g. 64M");
            }
            return bytes;
        }
    }
}
