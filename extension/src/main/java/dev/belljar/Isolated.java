package dev.belljar;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * {@code @Isolated} is used to run a test in a fresh child JVM inside new Linux namespaces and a
 * cgroup with the declared limits. What the kernel did to it (an OOM kill, CPU throttling, the
 * accounting) comes back into the normal JUnit run.
 *
 * <p>On a method, that test runs isolated with its {@code @BeforeEach}/{@code @AfterEach} methods;
 * on a class, every test of the class (and its {@code @Nested} classes) does, and the class's
 * {@code @BeforeAll}/{@code @AfterAll} methods run in each child. As a meta-annotation it defines a
 * reusable sandbox ({@code @SmallBox}). Method attributes override class attributes.
 *
 * <p>Not to be confused with JUnit's {@code org.junit.jupiter.api.parallel.Isolated}, which only
 * keeps a test from running in parallel with others.
 *
 * <p>Empty strings and {@code 0} mean "not declared": no limit unless a profile or configuration
 * sets one. A declared limit that this host cannot enforce aborts the test with the reason (or
 * fails it, with {@code belljar.unenforceable=fail}); it never runs unenforced.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(BelljarExtension.class)
public @interface Isolated {

    /** Memory limit of the whole sandbox: bytes or a size with a binary suffix, {@code 64M}, {@code 1.5G}, {@code 512K}. */
    String memory() default "";

    /** Swap the sandbox may use on top of {@link #memory()}; none unless declared, so the memory limit is real. */
    String swap() default "";

    /** CPU quota in cores, e.g. {@code 0.5} or {@code 2}; the JVM inside sees the rounded-up count as its processors. */
    String cpu() default "";

    /**
     * Memory above which the kernel reclaims and throttles the sandbox before any OOM kill, e.g.
     * {@code 48M}: cgroup v2 only ({@code memory.high}); on v1 the test is aborted with the reason.
     */
    String memoryHigh() default "";

    /** Share of contended CPU relative to other sandboxes, 1 to 10000 (100 is the kernel's default); {@code 0}: not declared. */
    int cpuWeight() default 0;

    /** The CPUs the test may run on, a kernel CPU list: {@code 0}, {@code 0-1,3}; the JVM inside sees as many processors. */
    String cpuset() default "";

    /**
     * Throttling of the block device behind a path: {@code "/data: write=1M, read=10M, riops=100, wiops=50"},
     * one entry per path. Sizes are bytes per second; riops and wiops are operations per second.
     */
    String[] io() default {};

    /** Maximum number of processes and threads in the sandbox; {@code 0} means no limit. */
    int pids() default 0;

    /** The network: {@link Net#HOST} (default), {@link Net#PRIVATE} (loopback only) or {@link Net#NONE}. */
    Net net() default Net.HOST;

    /**
     * Host services reachable inside a {@link Net#PRIVATE} network, without any routable address:
     * {@code "5432"} makes the host's {@code 127.0.0.1:5432} reachable inside at
     * {@code 127.0.0.1:5432}, {@code "8080:80"} the host's port 8080 at port 80 inside. A relay in
     * the test JVM carries each connection and applies the faults written after the ports, e.g.
     * {@code "5432 latency=200ms, jitter=50ms"}: {@code latency}, {@code upstreamLatency},
     * {@code jitter}, {@code bandwidth} (per second), {@code stallAfter}, {@code resetAfter},
     * {@code slice}, {@code sliceDelay} and {@code connections}. The test changes them while it runs
     * through {@link SandboxContext#network()}; each port's traffic is in {@link SandboxResult#network()}.
     */
    String[] hostPorts() default {};

    /**
     * What the kernel does to every packet on a {@link Net#PRIVATE} network's loopback, e.g.
     * {@code "rate=1M, delay=100ms, jitter=10ms, loss=1%"}: {@code rate} (bytes per second, through
     * {@code tbf}), and {@code delay}, {@code jitter}, {@code loss}, {@code duplicate} and
     * {@code reorder} through {@code netem}. Where the kernel has no netem the test is aborted with
     * the reason, as for every limit the host cannot enforce.
     */
    String netFaults() default "";

    /** A new PID namespace: the test sees only its own processes, and they all die with it. */
    boolean pid() default true;

    /** Host name inside the sandbox's UTS namespace; the host's name when empty. */
    String hostname() default "";

    /** NIS domain name inside the sandbox's UTS namespace; the host's when empty. */
    String domainname() default "";

    /** Who the test runs as: {@link User#CALLER} (default), {@link User#ROOT} in a user namespace, or {@link User#NOBODY}. */
    User user() default User.CALLER;

    /**
     * Offset of the monotonic and boot-time clocks in a new time namespace, e.g. {@code 30d}:
     * {@code System.nanoTime()} and {@code /proc/uptime} inside reflect it. Wall-clock time cannot be
     * changed per namespace (the kernel's time namespaces only offset these two clocks).
     */
    String uptime() default "";

    /** Paths made read-only inside, with everything mounted below them; {@code "/"} makes the whole host read-only. */
    String[] readOnly() default {};

    /** Exceptions under {@link #readOnly()} paths that stay writable, e.g. {@code readOnly = "/", writable = "/var/data"}. */
    String[] writable() default {};

    /** Fresh, empty tmpfs mounts over existing directories, {@code "/tmp"} or with a size {@code "/tmp:16M"} (default 64M). */
    String[] tmpfs() default {};

    /** Paths made empty and unreadable inside: a directory shows nothing, a file is empty. */
    String[] hidden() default {};

    /**
     * A new cgroup namespace with the cgroupfs mounted again inside: the test sees its own cgroup
     * as the root ({@code /proc/self/cgroup} reads {@code 0::/} on cgroup v2) and reads its own
     * limits and usage at {@code /sys/fs/cgroup}.
     */
    boolean cgroupNamespace() default false;

    /**
     * Capabilities the test keeps beside runc's default set ({@code AUDIT_WRITE}, {@code KILL},
     * {@code NET_BIND_SERVICE}), by their names in capabilities(7), e.g. {@code "SYS_ADMIN"}. Each
     * gives up part of the protection: with {@code SYS_ADMIN} the test can mount, and so make the
     * read-only cgroup filesystem writable again and change its own limits.
     */
    String[] capabilities() default {};

    /**
     * Turns off everything that keeps the test from reaching beyond its sandbox: it keeps every
     * capability of the test JVM's user, may gain privileges through set-user-ID programs, and
     * finds the cgroup filesystem, {@code /proc/sys} and {@code /sys} writable, so it can change its
     * own limits and those of any cgroup on the host. For tests of code that needs that, and only
     * with the namespaces and limits as the remaining walls.
     */
    boolean privileged() default false;

    /** Wall-clock limit for the child, e.g. {@code 30s}, {@code 2m}, {@code 500ms}; the whole sandbox is killed after it. */
    String timeout() default "";

    /**
     * {@link Reuse#CLASS}: the tests of one class that declare the same sandbox share one child JVM,
     * one after another; {@link Reuse#NONE} (default): each test gets its own. See {@link Reuse}
     * for what sharing gives up.
     */
    Reuse reuse() default Reuse.NONE;

    /** A profile from {@code belljar.yaml} at the root of the test class path. */
    String profile() default "";

    /** A spec file on the test class path, e.g. {@code sandboxes/tiny.yaml}. */
    String spec() default "";
}
