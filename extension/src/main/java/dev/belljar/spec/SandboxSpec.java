package dev.belljar.spec;

import dev.belljar.Net;
import dev.belljar.Reuse;
import dev.belljar.User;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What a sandbox looks like: limits and namespaces. Every value is optional; {@link #overriddenBy}
 * merges a more specific spec over this one. Built from annotations, YAML or code. The values are
 * kept per {@link Attribute}: merging, {@link #toString()} and equality work over the table.
 */
public final class SandboxSpec implements Serializable {
    private static final long serialVersionUID = 2L;
    /** Size of a tmpfs that declares none. */
    public static final long DEFAULT_TMPFS_BYTES = 64L << 20;

    /** By {@link Attribute#index}; {@code null} where not declared. Each value is never changed once stored. */
    private final Object[] values;
    private final Expectation expect;
    /** {@link #toString}, made once: it is also the spec's identity, which caches of plans and requests look up per test. */
    private transient String yaml;

    private SandboxSpec(Object[] values, Expectation expect) {
        this.values = values;
        this.expect = expect;
    }

    public static Builder builder() {
        return new Builder(new Object[Attribute.all().size()], Expectation.none());
    }

    public static SandboxSpec empty() {
        return builder().build();
    }

    /** The declared value of {@code attribute}; empty when not declared (or a list without entries). */
    public <T> Optional<T> get(Attribute<T> attribute) {
        return Optional.ofNullable(valueOf(values, attribute)).map(attribute::view);
    }

    @SuppressWarnings("unchecked")
    private static <T> T valueOf(Object[] values, Attribute<T> attribute) {
        return (T) values[attribute.index];
    }

    public OptionalLong memoryBytes() {
        return get(Attribute.MEMORY).map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    public OptionalLong swapBytes() {
        return get(Attribute.SWAP).map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    public OptionalDouble cpuCores() {
        return get(Attribute.CPU).map(OptionalDouble::of).orElse(OptionalDouble.empty());
    }

    public OptionalInt pids() {
        return get(Attribute.PIDS).map(OptionalInt::of).orElse(OptionalInt.empty());
    }

    /** The network, {@link Net#HOST} unless declared. */
    public Net net() {
        return get(Attribute.NET).orElse(Net.HOST);
    }

    /** Whether the sandbox gets its own PID namespace; {@code true} unless declared otherwise. */
    public boolean pidNamespace() {
        return get(Attribute.PID).orElse(true);
    }

    public Optional<String> hostname() {
        return get(Attribute.HOSTNAME);
    }

    public Optional<Duration> timeout() {
        return get(Attribute.TIMEOUT);
    }

    public Optional<String> domainname() {
        return get(Attribute.DOMAINNAME);
    }

    /** Whether the tests of a class share a child JVM, {@link Reuse#NONE} unless declared. */
    public Reuse reuse() {
        return get(Attribute.REUSE).orElse(Reuse.NONE);
    }

    /** Who the test runs as, {@link User#CALLER} unless declared. */
    public User user() {
        return get(Attribute.USER).orElse(User.CALLER);
    }

    /** Offset of the monotonic and boot-time clocks in a time namespace; empty: no time namespace. */
    public Optional<Duration> uptime() {
        return get(Attribute.UPTIME);
    }

    /** memory.high: reclaim and throttling before the kill (cgroup v2). */
    public OptionalLong memoryHighBytes() {
        return get(Attribute.MEMORY_HIGH).map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    public OptionalInt cpuWeight() {
        return get(Attribute.CPU_WEIGHT).map(OptionalInt::of).orElse(OptionalInt.empty());
    }

    /** The CPUs the sandbox may run on, as declared (a kernel CPU list). */
    public Optional<String> cpuset() {
        return get(Attribute.CPUSET);
    }

    /** How many CPUs {@link #cpuset()} names: the processors the JVM inside should see. */
    public OptionalInt cpusetSize() {
        return cpuset().map(cpus -> OptionalInt.of(CpuSets.count(cpus))).orElse(OptionalInt.empty());
    }

    /** Throttling per path: the block device behind each path is limited. */
    public Map<String, IoThrottle> io() {
        return get(Attribute.IO).orElse(Map.of());
    }

    /** Paths made read-only inside (with their submounts). */
    public List<String> readOnly() {
        return get(Attribute.READ_ONLY).orElse(List.of());
    }

    /** Writable exceptions under read-only paths. */
    public List<String> writable() {
        return get(Attribute.WRITABLE).orElse(List.of());
    }

    /** Fresh tmpfs mounts: path to size in bytes. */
    public Map<String, Long> tmpfs() {
        return get(Attribute.TMPFS).orElse(Map.of());
    }

    /** Paths made empty and unreadable inside. */
    public List<String> hidden() {
        return get(Attribute.HIDDEN).orElse(List.of());
    }

    /**
     * This spec, if its attributes agree with each other.
     *
     * @throws SpecException naming what disagrees and how to fix it
     */
    public SandboxSpec requireConsistent() {
        if (netFaults().isPresent() && net() != Net.PRIVATE) {
            throw new SpecException(Attribute.NET_FAULTS.name() + " = " + Attribute.NET_FAULTS.format(netFaults().get())
                    + " shapes the sandbox's own loopback, but net = " + net() + ": declare net = PRIVATE"
                    + (net() == Net.HOST ? " (the host's network is shared with every process of the host)" : ""));
        }
        if (!hostPorts().isEmpty() && net() != Net.PRIVATE) {
            throw new SpecException(Attribute.HOST_PORTS.name() + " = " + Attribute.HOST_PORTS.format(hostPorts())
                    + " forwards host services into a private network, but net = " + net() + ": declare net = PRIVATE"
                    + (net() == Net.HOST ? " (with net = HOST the test reaches the host's ports directly)" : ""));
        }
        return this;
    }

    /** What the kernel does to every packet on the private network's loopback; empty when not declared. */
    public Optional<NetFaults> netFaults() {
        return get(Attribute.NET_FAULTS);
    }

    /** Host services forwarded into a private network, by the port inside. */
    public Map<Integer, PortForward> hostPorts() {
        return get(Attribute.HOST_PORTS).orElse(Map.of());
    }

    /** Whether the sandbox gets its own cgroup namespace with the cgroupfs mounted again. */
    public boolean cgroupNamespace() {
        return get(Attribute.CGROUP_NAMESPACE).orElse(false);
    }

    /** What the kernel should do to the test; {@link Expectation#none()} unless declared. */
    public Expectation expect() {
        return expect;
    }

    /**
     * This spec with what {@code specific} declares merged over it: single values are replaced, lists
     * and maps of paths gain its entries, expectations merge.
     */
    public SandboxSpec overriddenBy(SandboxSpec specific) {
        Object[] merged = values.clone();
        for (Attribute<?> attribute : Attribute.all()) {
            merged[attribute.index] = merge(attribute, values, specific.values);
        }
        return new SandboxSpec(merged, expect.overriddenBy(specific.expect));
    }

    private static <T> T merge(Attribute<T> attribute, Object[] generalValues, Object[] specificValues) {
        T general = valueOf(generalValues, attribute);
        T specific = valueOf(specificValues, attribute);
        if (specific == null) {
            return general;
        }
        return general == null ? specific : attribute.merge(general, specific);
    }

    public Builder toBuilder() {
        return new Builder(values.clone(), expect);
    }

    /** The declared values as YAML, in the syntax the annotation and spec files accept. */
    @Override
    public String toString() {
        if (yaml == null) {
            StringBuilder declared = new StringBuilder();
            for (Attribute<?> attribute : Attribute.all()) {
                appendDeclared(declared, attribute);
            }
            if (!expect.isEmpty()) {
                declared.append("expect: ").append(expect).append('\n');
            }
            yaml = declared.length() == 0 ? "{}" : declared.toString().stripTrailing();
        }
        return yaml;
    }

    private <T> void appendDeclared(StringBuilder yaml, Attribute<T> attribute) {
        T value = valueOf(values, attribute);
        if (value != null) {
            yaml.append(attribute.name()).append(": ").append(attribute.format(value)).append('\n');
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SandboxSpec other && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return Objects.hash(toString());
    }

    /**
     * Builds a spec; the string setters accept the annotation's syntax and throw {@link SpecException}
     * otherwise. {@link #set(Attribute, String)} sets any attribute from that syntax.
     */
    public static final class Builder {
        private final Object[] values;
        private Expectation expect;

        private Builder(Object[] values, Expectation expect) {
            this.values = values;
            this.expect = expect;
        }

        /**
         * Declares {@code attribute} as {@code text} in the annotation's syntax: a single value is
         * replaced, a list or map of paths gets one more entry (e.g. {@code "/data: write=1M"} for io).
         */
        public <T> Builder set(Attribute<T> attribute, String text) {
            return store(attribute, attribute.parse(valueOf(values, attribute), text));
        }

        /** A map entry as YAML writes it: {@code key} (a path) to {@code text}. */
        <T> Builder set(Attribute<T> attribute, String key, String text) {
            return store(attribute, attribute.parse(valueOf(values, attribute), key, text));
        }

        private <T> Builder with(Attribute<T> attribute, T value) {
            return store(attribute, attribute.check(value));
        }

        private <T> Builder store(Attribute<T> attribute, T value) {
            values[attribute.index] = attribute.isEmpty(value) ? null : value;
            return this;
        }

        public Builder memory(String size) {
            return set(Attribute.MEMORY, size);
        }

        public Builder memoryBytes(long bytes) {
            return with(Attribute.MEMORY, bytes);
        }

        public Builder swap(String size) {
            return set(Attribute.SWAP, size);
        }

        public Builder cpu(String cores) {
            return set(Attribute.CPU, cores);
        }

        public Builder pids(int max) {
            return with(Attribute.PIDS, max);
        }

        public Builder net(Net value) {
            return with(Attribute.NET, value);
        }

        public Builder pidNamespace(boolean enabled) {
            return with(Attribute.PID, enabled);
        }

        public Builder hostname(String name) {
            return set(Attribute.HOSTNAME, name);
        }

        public Builder timeout(String duration) {
            return set(Attribute.TIMEOUT, duration);
        }

        public Builder timeout(Duration duration) {
            return with(Attribute.TIMEOUT, duration);
        }

        public Builder domainname(String name) {
            return set(Attribute.DOMAINNAME, name);
        }

        public Builder reuse(Reuse value) {
            return with(Attribute.REUSE, value);
        }

        public Builder user(User value) {
            return with(Attribute.USER, value);
        }

        /** Offsets the monotonic and boot-time clocks by this much in a new time namespace, e.g. {@code 30d}. */
        public Builder uptime(String duration) {
            return set(Attribute.UPTIME, duration);
        }

        public Builder memoryHigh(String size) {
            return set(Attribute.MEMORY_HIGH, size);
        }

        public Builder cpuWeight(int weight) {
            return with(Attribute.CPU_WEIGHT, weight);
        }

        /** A kernel CPU list: {@code 0}, {@code 0-3}, {@code 0-1,3}. */
        public Builder cpuset(String cpus) {
            return set(Attribute.CPUSET, cpus);
        }

        /** Throttles the block device behind {@code path}, e.g. {@code io("/data", "write=1M")}. */
        public Builder io(String path, String throttle) {
            return set(Attribute.IO, path, throttle);
        }

        /** One annotation entry: {@code "/data: write=1M, riops=100"}. */
        public Builder io(String entry) {
            return set(Attribute.IO, entry);
        }

        /** Shapes the private network's loopback, e.g. {@code "rate=1M, delay=100ms, loss=1%"}. */
        public Builder netFaults(String faults) {
            return set(Attribute.NET_FAULTS, faults);
        }

        /** Forwards a host service into a private network, e.g. {@code "5432"}, {@code "8080:80 latency=200ms"}. */
        public Builder hostPort(String forward) {
            return set(Attribute.HOST_PORTS, forward);
        }

        /** Makes {@code path} (and what is mounted below it) read-only inside; {@code "/"}: the whole host. */
        public Builder readOnly(String path) {
            return set(Attribute.READ_ONLY, path);
        }

        /** Keeps {@code path} writable under a read-only path. */
        public Builder writable(String path) {
            return set(Attribute.WRITABLE, path);
        }

        /** A fresh tmpfs over an existing directory: {@code "/tmp"} (64M) or {@code "/tmp:16M"}. */
        public Builder tmpfs(String entry) {
            return set(Attribute.TMPFS, entry);
        }

        /** Makes {@code path} empty and unreadable inside. */
        public Builder hidden(String path) {
            return set(Attribute.HIDDEN, path);
        }

        public Builder cgroupNamespace(boolean enabled) {
            return with(Attribute.CGROUP_NAMESPACE, enabled);
        }

        /** Keeps a capability beside runc's default set, e.g. {@code "SYS_ADMIN"}; see {@code @Isolated.capabilities}. */
        public Builder capability(String name) {
            return set(Attribute.CAPABILITIES, name);
        }

        /** Turns off the sandbox's protections of the host; see {@code @Isolated.privileged}. */
        public Builder privileged(boolean enabled) {
            return with(Attribute.PRIVILEGED, enabled);
        }

        public Builder expect(Expectation expectation) {
            expect = Objects.requireNonNull(expectation, "expectation");
            return this;
        }

        public SandboxSpec build() {
            return new SandboxSpec(values.clone(), expect);
        }
    }
}
