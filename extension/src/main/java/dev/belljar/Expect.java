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

    /** A bound on the sandbox's peak memory as the kernel recorded it, e.g. {@code "< 48M"}. */
    String peakMemory() default "";

    /** A bound on the CPU time (user + system) of all processes of the sandbox, e.g. {@code "< 2s"}. */
    String cpuTime() default "";

    /** A bound on the time the sandbox was throttled by its CPU quota, e.g. {@code "> 0"}. */
    String throttledTime() default "";
}
