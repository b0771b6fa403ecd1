package dev.belljar.internal;

import dev.belljar.Reuse;
import dev.belljar.Sandbox;
import dev.belljar.SandboxContext;
import dev.belljar.internal.channel.Messages;
import dev.belljar.internal.child.ChildSandboxContext;
import dev.belljar.internal.child.JvmOutOfMemoryError;
import dev.belljar.internal.child.TestRunner;
import dev.belljar.internal.parent.ChildJvm;
import dev.belljar.internal.parent.ChildReport;
import dev.belljar.internal.parent.DefaultSandbox;
import dev.belljar.internal.parent.HostSupport;
import dev.belljar.internal.parent.IsolatedSpecs;
import dev.belljar.internal.parent.LaunchPlan;
import dev.belljar.internal.parent.SandboxRun;
import dev.belljar.internal.parent.SharedChildren;
import dev.belljar.internal.parent.Timeline;
import dev.belljar.internal.parent.Verdict;
import dev.belljar.internal.report.Reports;
import dev.belljar.spec.SandboxSpec;
import dev.belljar.spec.SpecException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor.Invocation;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.commons.PreconditionViolationException;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** What {@code BelljarExtension} does at each interception point, in the parent and in the child. */
public final class IsolatedTestInterceptor {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create("dev.belljar");

    private IsolatedTestInterceptor() {
    }

    /** Whether this JVM is a sandbox's child; there the test runs in place. */
    static boolean inChild() {
        return System.getProperty(TestRunner.CHILD_TEST_PROPERTY) != null;
    }

    public static void interceptTest(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
        if (inChild()) {
            proceedInChild(invocation);
        } else if (!IsolatedSpecs.isIsolated(context)) {
            invocation.proceed();
        } else {
            invocation.skip();
            runIsolated(context);
        }
    }

    public static <T> T interceptTestFactory(Invocation<T> invocation, ExtensionContext context) throws Throwable {
        if (inChild() || !IsolatedSpecs.isIsolated(context)) {
            return invocation.proceed();
        }
        invocation.skip();
        throw new PreconditionViolationException("@Isolated cannot run the @TestFactory method "
                + context.getRequiredTestClass().getName() + "." + context.getRequiredTestMethod().getName()
                + "(): its dynamic tests cannot be selected by id in a child JVM. Use @ParameterizedTest,"
                + " or isolate the code under test with separate @Isolated tests");
    }

    /** {@code @BeforeEach}/{@code @AfterEach}: they run in the child with the test. */
    public static void interceptPerTestLifecycle(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
        if (inChild()) {
            proceedInChild(invocation);
        } else if (IsolatedSpecs.isIsolated(context)) {
            invocation.skip();
        } else {
            invocation.proceed();
        }
    }

    /** {@code @BeforeAll}/{@code @AfterAll} of an isolated class: they run in each child. */
    public static void interceptPerClassLifecycle(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
        if (inChild()) {
            proceedInChild(invocation);
        } else if (context.getTestClass().map(IsolatedSpecs::isClassIsolated).orElse(false)) {
            invocation.skip();
        } else {
            invocation.proceed();
        }
    }

    private static void proceedInChild(Invocation<Void> invocation) throws Throwable {
        try {
            invocation.proceed();
        } catch (OutOfMemoryError e) {
            throw new JvmOutOfMemoryError(e);
        }
    }

    private static void runIsolated(ExtensionContext context) throws Throwable {
        Configuration configuration = Configuration.of(context);
        configuration.requireValid();
        HostSupport host = host(context);
        SandboxSpec spec;
        LaunchPlan plan;
        try {
            spec = context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(IsolatedSpecs.Resolved.class,
                    key -> new IsolatedSpecs.Resolved(), IsolatedSpecs.Resolved.class).of(context);
            try {
                plan = host.plan(spec);
            } catch (SpecException e) {
                throw e.in(IsolatedSpecs.declaredOn(context));
            }
            requireEnforceable(host, plan, context.getDisplayName(), configuration.failUnenforceable());
        } catch (Throwable notStarted) {
            publishNotStarted(context, configuration, host, notStarted);
            throw notStarted;
        }
        Duration timeout = spec.timeout().orElse(Configuration.DEFAULT_TIMEOUT);
        Messages.RunTest request = Messages.RunTest.of(context.getUniqueId(), context.getDisplayName(), spec,
                ChildJvm.forwardedSystemProperties());
        ChildReport report;
        String child;
        if (spec.reuse() == Reuse.CLASS) {
            SharedChildren.Outcome shared = sharedChildren(context, host).run(plan, request, timeout);
            report = shared.report();
            child = shared.child();
        } else {
            try (SandboxRun run = host.spares().start(plan, request, configuration.prestart())) {
                report = run.awaitReport(timeout);
                child = run.startedAs().describe();
            }
        }
        replayOutput(report);
        report.reportEntries().forEach(context::publishReportEntry);
        Verdict verdict = Verdict.of(spec, timeout, report);
        Map<String, String> entries = new LinkedHashMap<>(Reports.entries(verdict.result()));
        if (configuration.report()) {
            Timeline.write(configuration.reportDirectory(), report.timeline())
                    .ifPresent(file -> entries.put(Timeline.FILE_KEY, file));
        }
        entries.put(Reports.CHILD_KEY, child);
        entries.put(Reports.SANDBOXES_KEY, host.sandboxesWhere());
        context.publishReportEntry(entries);
        printSummaryLine(configuration, entries.get(Reports.SUMMARY_KEY));
        verdict.check(context.getDisplayName(), spec.expect());
    }

    /** A test that ends before its sandbox starts is in the summary and the report too, with the reason. */
    private static void publishNotStarted(ExtensionContext context, Configuration configuration, HostSupport host,
            Throwable reason) {
        String outcome = reason instanceof TestAbortedException ? "ABORTED" : "ERROR";
        String summary = outcome + " before its sandbox started: " + reason.getMessage();
        context.publishReportEntry(Map.of(Reports.SUMMARY_KEY, summary, "belljar.outcome", outcome,
                Reports.SANDBOXES_KEY, host.sandboxesWhere()));
        printSummaryLine(configuration, summary);
    }

    /**
     * The test's summary line on its standard output: Surefire keeps a test's output in its XML
     * report ({@code system-out}), where CI systems read it, and drops its report entries.
     */
    private static void printSummaryLine(Configuration configuration, String summary) {
        if (configuration.summary()) {
            System.out.println(Reports.SUMMARY_LINE_PREFIX + summary);
        }
    }

    /** The children a test's class shares ({@code reuse = CLASS}): closed, with their sandboxes, when the class ends. */
    private static SharedChildren sharedChildren(ExtensionContext context, HostSupport host) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(SharedChildren.class,
                key -> new SharedChildren(host), SharedChildren.class);
    }

    /** What the host offers, probed once per test run (the root context's store). */
    static HostSupport host(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(HostSupport.class,
                key -> HostSupport.detect(Configuration.of(context).cgroupParent(),
                        Configuration.of(context).classDataSharing(), Configuration.of(context).restore()),
                HostSupport.class);
    }

    /** Never run unenforced: abort (or fail, as configured) with the reason and the fix. */
    public static void requireEnforceable(HostSupport host, LaunchPlan plan, String what, boolean fail) {
        Optional<String> reason = host.cannotEnforce(plan);
        if (reason.isPresent()) {
            String message = "this host cannot enforce the sandbox of " + what + ": " + reason.get()
                    + " (spec: " + plan.spec().toString().replace('\n', ',') + "); the test did not run";
            if (fail) {
                throw new AssertionFailedError(message);
            }
            throw new TestAbortedException(message + ". Set " + Configuration.UNENFORCEABLE_PROPERTY_NAME
                    + "=fail to make this a failure");
        }
    }

    /**
     * The {@link dev.belljar.SandboxContext} parameter. In the parent an isolated test's parameters
     * are resolved although its invocation is skipped: there it is a stand-in that is never used.
     */
    public static SandboxContext sandboxContextFor(ExtensionContext context) {
        if (inChild() && ChildSandboxContext.available()) {
            return new ChildSandboxContext();
        }
        if (IsolatedSpecs.isIsolated(context)) {
            return (SandboxContext) Proxy.newProxyInstance(
                    SandboxContext.class.getClassLoader(), new Class<?>[] {SandboxContext.class},
                    (proxy, method, args) -> {
                        throw new IllegalStateException("SandboxContext is only usable inside the sandbox's JVM");
                    });
        }
        throw new ParameterResolutionException("SandboxContext is only available in"
                + " @Isolated tests: " + context.getDisplayName() + " runs in the test JVM itself");
    }

    /** The {@link dev.belljar.Sandbox} parameter: the class's {@code @Isolated} spec (if any) is its default. */
    public static Sandbox sandboxFor(ExtensionContext context) {
        Configuration.of(context).requireValid();
        SandboxSpec spec = context.getTestMethod().isPresent() && IsolatedSpecs.isIsolated(context)
                ? IsolatedSpecs.resolve(context) : Configuration.of(context).defaults();
        return new DefaultSandbox(host(context), spec, Configuration.of(context).failUnenforceable());
    }

    /** The child's output, shown as this test's output (Surefire and IDEs capture it per test). */
    public static void replayOutput(ChildReport report) throws IOException {
        System.out.write(report.stdout());
        System.out.flush();
        System.err.write(report.stderr());
        System.err.flush();
    }
}
