package dev.belljar;

import dev.belljar.internal.IsolatedTestInterceptor;
import dev.belljar.internal.child.ClassRun;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

import java.lang.reflect.Method;

/**
 * {@code BelljarExtension} is used to run {@link Isolated} tests in sandboxes. {@code @Isolated}
 * registers it; register it yourself with {@code @ExtendWith(BelljarExtension.class)} where a
 * class has no {@code @Isolated}.
 *
 * <p>In the parent JVM it skips the invocation of an isolated test (and of its lifecycle methods,
 * which run in the child), runs the test in a child JVM and replays the child's result. In the
 * child JVM it runs the test in place. It also resolves {@link Sandbox} parameters, for tests that
 * stay in the parent and run code in sandboxes themselves.
 */
public class BelljarExtension implements InvocationInterceptor, ParameterResolver, ExecutionCondition {

    /** In a child that the tests of a class share, only the test the test JVM asks for next runs. */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return ClassRun.admit(context.getUniqueId());
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == Sandbox.class || type == SandboxContext.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == Sandbox.class
                ? IsolatedTestInterceptor.sandboxFor(extensionContext) : IsolatedTestInterceptor.sandboxContextFor(extensionContext);
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext extensionContext) throws Throwable {
        IsolatedTestInterceptor.interceptTest(invocation, extensionContext);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation,
                                            ReflectiveInvocationContext<Method> invocationContext,
                                            ExtensionContext extensionContext) throws Throwable {
        IsolatedTestInterceptor.interceptTest(invocation, extensionContext);
    }

    @Override
    public <T> T interceptTestFactoryMethod(Invocation<T> invocation,
                                            ReflectiveInvocationContext<Method> invocationContext,
                                            ExtensionContext extensionContext) throws Throwable {
        return IsolatedTestInterceptor.interceptTestFactory(invocation, extensionContext);
    }

    @Override
    public void interceptBeforeEachMethod(Invocation<Void> invocation,
                                          ReflectiveInvocationContext<Method> invocationContext,
                                          ExtensionContext extensionContext) throws Throwable {
        IsolatedTestInterceptor.interceptPerTestLifecycle(invocation, extensionContext);
    }

    @Override
    public void interceptAfterEachMethod(Invocation<Void> invocation,
                                         ReflectiveInvocationContext<Method> invocationContext,
                                         ExtensionContext extensionContext) throws Throwable {
        IsolatedTestInterceptor.interceptPerTestLifecycle(invocation, extensionContext);
    }

    @Override
    public void interceptBeforeAllMethod(Invocation<Void> invocation,
                                         ReflectiveInvocationContext<Method> invocationContext,
                                         ExtensionContext extensionContext) throws Throwable {
        IsolatedTestInterceptor.interceptPerClassLifecycle(invocation, extensionContext);
    }

    @Override
    public void interceptAfterAllMethod(Invocation<Void> invocation,
                                        ReflectiveInvocationContext<Method> invocationContext,
                                        ExtensionContext extensionContext) throws Throwable {
        IsolatedTestInterceptor.interceptPerClassLifecycle(invocation, extensionContext);
    }
}
