package dev.belljar.internal;

import dev.belljar.Expect;
import dev.belljar.Isolated;
import dev.belljar.spec.SandboxSpec;
import dev.belljar.spec.SpecException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finds the {@link Isolated} declarations that apply to a test and merges them into one spec. */
final class IsolatedSpecs {
    private IsolatedSpecs() {
    }

    /** The classes whose {@code @Isolated} applies to tests of {@code testClass}: outermost first (for {@code @Nested}). */
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

    /** The merged spec: classes outermost first, then the method; each declared value overrides. */
    static SandboxSpec resolve(ExtensionContext context) {
        SandboxSpec spec = SandboxSpec.empty();
        for (Class<?> c : enclosingClasses(context.getRequiredTestClass())) {
            spec = merge(spec, c, "@Isolated on " + c.getName());
        }
        Method method = context.getRequiredTestMethod();
        String source = "@Isolated on " + method.getDeclaringClass().getName() + "." + method.getName() + "()";
        spec = merge(spec, method, source);
        if (spec.swapBytes().isPresent() && spec.memoryBytes().isEmpty()) {
            throw new SpecException("swap = " + spec.swapBytes().getAsLong() + " bytes needs a memory limit:"
                    + " declare memory too").in(source);
        }
        return spec;
    }

    private static SandboxSpec merge(SandboxSpec spec, AnnotatedElement element, String source) {
        Optional<Isolated> isolated = AnnotationSupport.findAnnotation(element, Isolated.class);
        return isolated.map(annotation -> spec.overriddenBy(toSpec(annotation, source))).orElse(spec);
    }

    static SandboxSpec toSpec(Isolated isolated, String source) {
        try {
            if (!isolated.profile().isEmpty() || !isolated.spec().isEmpty()) {
                String element = isolated.profile().isEmpty() ? "spec" : "profile";
                throw new SpecException(element + " = \"" + (isolated.profile().isEmpty() ? isolated.spec() : isolated.profile())
                        + "\": YAML profiles and spec files are not supported in this version; declare the limits"
                        + " as @Isolated attributes");
            }
            SandboxSpec.Builder b = SandboxSpec.builder();
            if (!isolated.memory().isEmpty()) b.memory(isolated.memory());
            if (!isolated.swap().isEmpty()) b.swap(isolated.swap());
            if (!isolated.cpu().isEmpty()) b.cpu(isolated.cpu());
            if (isolated.pids() != 0) b.pids(isolated.pids());
            if (isolated.net() != dev.belljar.Net.HOST) b.net(isolated.net());
            if (!isolated.pid()) b.pidNamespace(false);
            if (!isolated.hostname().isEmpty()) b.hostname(isolated.hostname());
            if (!isolated.timeout().isEmpty()) b.timeout(isolated.timeout());
            return b.build();
        } catch (SpecException e) {
            throw e.in(source);
        }
    }

    /** The {@link Expect} that applies: the method's, else the nearest class's. */
    static Optional<Expect> expectation(ExtensionContext context) {
        Optional<Expect> onMethod = AnnotationSupport.findAnnotation(context.getRequiredTestMethod(), Expect.class);
        if (onMethod.isPresent()) {
            return onMethod;
        }
        List<Class<?>> classes = enclosingClasses(context.getRequiredTestClass());
        for (int i = classes.size() - 1; i >= 0; i--) {
            Optional<Expect> onClass = AnnotationSupport.findAnnotation(classes.get(i), Expect.class);
            if (onClass.isPresent()) {
                return onClass;
            }
        }
        return Optional.empty();
    }
}
