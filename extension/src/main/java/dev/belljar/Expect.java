package dev.belljar;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * {@code @Expect} is used to declare what the kernel should do to an {@link Isolated} test.
 *
 * <p>{@link #outcome()} names the passing result: {@code @Expect(outcome = Outcome.OOM_KILLED)}
 * makes an OOM kill pass and a test that was not killed fail. Bounds are comparisons on the
 * sandbox's accounting, e.g. {@code peakMemory = "< 48M"}, {@code cpuTime = "<= 2s"},
 * {@code throttledTime = "> 0"}; every unmet bound is reported at once.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface Expect {

    /** The outcome that counts as success. */
    Outcome outcome() default Outcome.PASSED;

    /** A bound on the sandbox's peak memory as the kernel recorded it (JVM start-up included), e.g. {@code "< 48M"}. */
    String peakMemory() default "";

    /** A bound on the memory the test added to the JVM's baseline (peak minus usage when the test started). */
    String testMemory() default "";

    /** A bound on the CPU time (user + system) of all processes of the sandbox, e.g. {@code "< 2s"}. */
    String cpuTime() default "";

    /** A bound on the CPU time of the test itself, without the JVM's start-up. */
    String testCpuTime() default "";

    /** A bound on the time the sandbox was throttled by its CPU quota, e.g. {@code "> 0"}. */
    String throttledTime() default "";

    /** A bound on the number of CFS periods in which the sandbox was throttled. */
    String throttledPeriods() default "";

    /** A bound on the peak number of processes and threads. */
    String pids() default "";

    /** A bound on bytes read from block devices (where the kernel accounts them). */
    String ioRead() default "";

    /** A bound on bytes written to block devices (where the kernel accounts them). */
    String ioWrite() default "";

    /** A bound on the child's wall time, start-up included. */
    String wallTime() default "";
}
