package dev.belljar.internal.parent;

import dev.belljar.Expect;
import dev.belljar.Isolated;
import dev.belljar.Outcome;
import dev.belljar.internal.Configuration;
import dev.belljar.spec.Attribute;
import dev.belljar.spec.Expectation;
import dev.belljar.spec.Metric;
import dev.belljar.spec.SandboxSpec;
import dev.belljar.spec.Sizes;
import dev.belljar.spec.SpecException;
import dev.belljar.spec.SpecFiles;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the declarations that apply to a test and merges them, most specific last: configuration
 * defaults &lt; profiles and spec files &lt; class {@code @Isolated}/{@code @Expect} (outermost first,
 * for {@code @Nested}) &lt; method {@code @Isolated}/{@code @Expect}.
 */
public final class IsolatedSpecs {
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

    public static boolean isClassIsolated(Class<?> testClass) {
        return enclosingClasses(testClass).stream().anyMatch(c -> AnnotationSupport.isAnnotated(c, Isolated.class));
    }

    public static boolean isIsolated(ExtensionContext context) {
        return context.getTestMethod().map(m -> AnnotationSupport.isAnnotated(m, Isolated.class)).orElse(false)
                || context.getTestClass().map(IsolatedSpecs::isClassIsolated).orElse(false);
    }

    /** Where a test's spec is reported as declared: {@code @Isolated on com.example.FooTest.bar()}. */
    public static String declaredOn(ExtensionContext context) {
        return declaredOn(context.getRequiredTestMethod());
    }

    private static String declaredOn(Method method) {
        return "@Isolated on " + method.getDeclaringClass().getName() + "." + method.getName() + "()";
    }

    /**
     * Each test method's spec, resolved once per run: the tests of a class, and each repetition or
     * invocation of one, ask for it again and again (about 0.2 ms each, and a cache lookup by a
     * spec made anew hashes its YAML). A declaration that cannot be resolved is not kept: it fails
     * every test that asks.
     */
    public static final class Resolved {
        private final Map<List<Object>, SandboxSpec> specs = new ConcurrentHashMap<>();

        public SandboxSpec of(ExtensionContext context) {
            return of(context.getRequiredTestClass(), context.getRequiredTestMethod(), Configuration.of(context).defaults());
        }

        SandboxSpec of(Class<?> testClass, Method method, SandboxSpec defaults) {
            return specs.computeIfAbsent(List.of(testClass, method, defaults), key -> resolve(testClass, method, defaults));
        }
    }

    public static SandboxSpec resolve(ExtensionContext context) {
        return resolve(context.getRequiredTestClass(), context.getRequiredTestMethod(),
                Configuration.of(context).defaults());
    }

    /** The spec of {@code method} run as a test of {@code testClass}, over the configuration's {@code defaults}. */
    public static SandboxSpec resolve(Class<?> testClass, Method method, SandboxSpec defaults) {
        Map<AnnotatedElement, String> levels = new LinkedHashMap<>();
        for (Class<?> c : enclosingClasses(testClass)) {
            levels.put(c, c.getName());
        }
        levels.put(method, method.getDeclaringClass().getName() + "." + method.getName() + "()");

        SandboxSpec spec = defaults;
        ClassLoader loader = testClass.getClassLoader();
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
            throw new SpecException("swap = \"" + swapAsWritten(levels.keySet(), spec.swapBytes().getAsLong())
                    + "\" needs a memory limit: declare memory too, e.g. memory = \"256M\"").in(declaredOn(method));
        }
        try {
            return spec.requireConsistent();
        } catch (SpecException e) {
            throw e.in(declaredOn(method));
        }
    }

    /**
     * The swap as the most specific {@code @Isolated} that declares it wrote it (annotations merge
     * last, so theirs is the one in force); from a spec file or the configuration, in that syntax.
     */
    private static String swapAsWritten(Collection<AnnotatedElement> levels, long bytes) {
        String written = Sizes.format(bytes);
        for (AnnotatedElement level : levels) {
            Optional<String> swap = AnnotationSupport.findAnnotation(level, Isolated.class).map(Isolated::swap);
            if (swap.isPresent() && !swap.get().isEmpty()) {
                written = swap.get();
            }
        }
        return written;
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

    /**
     * The attributes an {@code @Isolated} declares: each element named as an {@link Attribute}, unless
     * it holds its default (an empty string, {@code 0}, {@code HOST}, ...: "not declared").
     */
    static SandboxSpec toSpec(Isolated isolated, String source) {
        SandboxSpec.Builder b = SandboxSpec.builder();
        for (Attribute<?> attribute : Attribute.all()) {
            Method element = element(attribute);
            Object value = valueOf(element, isolated);
            if (!Objects.deepEquals(value, element.getDefaultValue())) {
                for (String text : texts(value)) {
                    try {
                        b.set(attribute, text);
                    } catch (SpecException e) {
                        throw e.in(source);
                    }
                }
            }
        }
        return b.build();
    }

    /** The {@code @Isolated} element of {@code attribute}: the same name. */
    static Method element(Attribute<?> attribute) {
        try {
            return Isolated.class.getMethod(attribute.name());
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("@Isolated has no element " + attribute.name() + " for that attribute", e);
        }
    }

    private static Object valueOf(Method element, Isolated isolated) {
        try {
            return element.invoke(isolated);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read @Isolated." + element.getName(), e);
        }
    }

    /** An element's value in the text syntax that YAML uses too: one text, or one per array entry. */
    private static List<String> texts(Object value) {
        if (value instanceof String[] entries) {
            return List.of(entries);
        }
        return List.of(value instanceof Enum<?> constant ? constant.name() : String.valueOf(value));
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
