package dev.belljar.internal;

import dev.belljar.Expect;
import dev.belljar.Isolated;
import dev.belljar.Net;
import dev.belljar.Outcome;
import dev.belljar.spec.Expectation;
import dev.belljar.spec.Metric;
import dev.belljar.spec.SandboxSpec;
import dev.belljar.spec.SpecException;
import dev.belljar.spec.SpecFiles;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the declarations that apply to a test and merges them, most specific last: configuration
 * defaults &lt; profiles and spec files &lt; class {@code @Isolated}/{@code @Expect} (outermost first,
 * for {@code @Nested}) &lt; method {@code @Isolated}/{@code @Expect}.
 */
final class IsolatedSpecs {
    private IsolatedSpecs() {
    }

    /** The classes whose declarations apply to tests of {@code testClass}: outermost first (for {@code @Nested}). */
    static List<Class<?>> enclosingClasses(Class<?> testClass) {
        List<Class<?>> classes = new ArrayList<>();
        for (Class<?> c = testClass; c != null; c = Modifier.isStatic(c.getModifiers()) ? null : c.getEnclosingClass()) {
            classes.add(0, c);
        }
        return classes;
    }

    static boolean isClassIsolated(Class<?> testClass) {
        return enclosingClasses(testClass).stream().anyMatch(c -> AnnotationSupport.isAnnotated(c, Isolated.class));
    }

    static boolean isIsolated(ExtensionContext context) {
        return context.getTestMethod().map(m -> AnnotationSupport.isAnnotated(m, Isolated.class)).orElse(false)
                || context.getTestClass().map(IsolatedSpecs::isClassIsolated).orElse(false);
    }

    static SandboxSpec resolve(ExtensionContext context) {
        Map<AnnotatedElement, String> levels = new LinkedHashMap<>();
        for (Class<?> c : enclosingClasses(context.getRequiredTestClass())) {
            levels.put(c, c.getName());
        }
        Method method = context.getRequiredTestMethod();
        String methodName = method.getDeclaringClass().getName() + "." + method.getName() + "()";
        levels.put(method, methodName);

        SandboxSpec spec = Configuration.defaults(context);
        ClassLoader loader = context.getRequiredTestClass().getClassLoader();
        for (Map.Entry<AnnotatedElement, String> level : levels.entrySet()) {
            Optional<Isolated> isolated = AnnotationSupport.findAnnotation(level.getKey(), Isolated.class);
            if (isolated.isPresent()) {
                spec = spec.overriddenBy(referencedSpec(isolated.get(), "@Isolated on " + level.getValue(), loader));
            }
        }
        for (Map.Entry<AnnotatedElement, String> level : levels.entrySet()) {
            Optional<Isolated> isolated = AnnotationSupport.findAnnotation(level.getKey(), Isolated.class);
            if (isolated.isPresent()) {
                spec = spec.overriddenBy(toSpec(isolated.get(), "@Isolated on " + level.getValue()));
            }
            Optional<Expect> expect = AnnotationSupport.findAnnotation(level.getKey(), Expect.class);
            if (expect.isPresent()) {
                spec = spec.overriddenBy(SandboxSpec.builder()
                        .expect(toExpectation(expect.get(), "@Expect on " + level.getValue())).build());
            }
        }
        if (spec.swapBytes().isPresent() && spec.memoryBytes().isEmpty()) {
            throw new SpecException("swap = " + spec.swapBytes().getAsLong() + " bytes needs a memory limit:"
                    + " declare memory too").in("@Isolated on " + methodName);
        }
        return spec;
    }

    /** The profile or spec file an {@code @Isolated} names, or an empty spec. */
    private static SandboxSpec referencedSpec(Isolated isolated, String source, ClassLoader loader) {
        try {
            if (!isolated.profile().isEmpty() && !isolated.spec().isEmpty()) {
                throw new SpecException("profile = \"" + isolated.profile() + "\" and spec = \"" + isolated.spec()
                        + "\" are both declared: use one (a spec file may extend a profile)");
            }
            if (!isolated.profile().isEmpty()) {
                return SpecFiles.profile(isolated.profile(), loader);
            }
            if (!isolated.spec().isEmpty()) {
                return SpecFiles.file(isolated.spec(), loader);
            }
            return SandboxSpec.empty();
        } catch (SpecException e) {
            throw e.in(source);
        }
    }

    static SandboxSpec toSpec(Isolated isolated, String source) {
        try {
            SandboxSpec.Builder b = SandboxSpec.builder();
            if (!isolated.memory().isEmpty()) b.memory(isolated.memory());
            if (!isolated.swap().isEmpty()) b.swap(isolated.swap());
            if (!isolated.cpu().isEmpty()) b.cpu(isolated.cpu());
            if (isolated.pids() != 0) b.pids(isolated.pids());
            if (isolated.net() != Net.HOST) b.net(isolated.net());
            if (!isolated.pid()) b.pidNamespace(false);
            if (!isolated.hostname().isEmpty()) b.hostname(isolated.hostname());
            if (!isolated.timeout().isEmpty()) b.timeout(isolated.timeout());
            if (!isolated.domainname().isEmpty()) b.domainname(isolated.domainname());
            if (isolated.user() != dev.belljar.User.CALLER) b.user(isolated.user());
            if (!isolated.uptime().isEmpty()) b.uptime(isolated.uptime());
            if (!isolated.memoryHigh().isEmpty()) b.memoryHigh(isolated.memoryHigh());
            if (isolated.cpuWeight() != 0) b.cpuWeight(isolated.cpuWeight());
            if (!isolated.cpuset().isEmpty()) b.cpuset(isolated.cpuset());
            for (String io : isolated.io()) {
                b.io(io);
            }
            Arrays.stream(isolated.readOnly()).forEach(b::readOnly);
            Arrays.stream(isolated.writable()).forEach(b::writable);
            Arrays.stream(isolated.tmpfs()).forEach(b::tmpfs);
            Arrays.stream(isolated.hidden()).forEach(b::hidden);
            if (isolated.cgroupNamespace()) b.cgroupNamespace(true);
            return b.build();
        } catch (SpecException e) {
            throw e.in(source);
        }
    }

    static Expectation toExpectation(Expect expect, String source) {
        try {
            Expectation expectation = expect.outcome() == Outcome.PASSED ? Expectation.none()
                    : Expectation.none().withOutcome(expect.outcome());
            Map<Metric, String> bounds = new LinkedHashMap<>();
            bounds.put(Metric.PEAK_MEMORY, expect.peakMemory());
            bounds.put(Metric.TEST_MEMORY, expect.testMemory());
            bounds.put(Metric.CPU_TIME, expect.cpuTime());
            bounds.put(Metric.TEST_CPU_TIME, expect.testCpuTime());
            bounds.put(Metric.THROTTLED_TIME, expect.throttledTime());
            bounds.put(Metric.THROTTLED_PERIODS, expect.throttledPeriods());
            bounds.put(Metric.PIDS, expect.pids());
            bounds.put(Metric.IO_READ, expect.ioRead());
            bounds.put(Metric.IO_WRITE, expect.ioWrite());
            bounds.put(Metric.WALL_TIME, expect.wallTime());
            for (Map.Entry<Metric, String> bound : bounds.entrySet()) {
                if (!bound.getValue().isEmpty()) {
                    expectation = expectation.with(bound.getKey().key(), bound.getValue());
                }
            }
            return expectation;
        } catch (SpecException e) {
            throw e.in(source);
        }
    }
}
