package dev.belljar.internal.parent;

import dev.belljar.Sandbox;
import dev.belljar.SandboxProcess;
import dev.belljar.SandboxResult;
import dev.belljar.internal.Configuration;
import dev.belljar.internal.IsolatedTestInterceptor;
import dev.belljar.internal.channel.Messages;
import dev.belljar.internal.channel.TaskRunner;
import dev.belljar.spec.SandboxSpec;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/** The {@link Sandbox} a test receives as a parameter: each call runs one child in a new sandbox. */
public final class DefaultSandbox implements Sandbox {
    private final HostSupport host;
    private final SandboxSpec spec;
    private final boolean failUnenforceable;

    public DefaultSandbox(HostSupport host, SandboxSpec spec, boolean failUnenforceable) {
        this.host = host;
        this.spec = spec;
        this.failUnenforceable = failUnenforceable;
    }

    @Override
    public SandboxSpec spec() {
        return spec;
    }

    @Override
    public Sandbox with(Consumer<SandboxSpec.Builder> customizer) {
        SandboxSpec.Builder builder = spec.toBuilder();
        customizer.accept(builder);
        return new DefaultSandbox(host, builder.build().requireConsistent(), failUnenforceable);
    }

    @Override
    public SandboxResult run(Task task) {
        return execute(TaskRunner.serialize(Objects.requireNonNull(task, "task"), "the task " + task));
    }

    @Override
    public <T extends Serializable> SandboxResult call(Computation<T> task) {
        return execute(TaskRunner.serialize(Objects.requireNonNull(task, "task"), "the task " + task));
    }

    @Override
    public SandboxProcess start(Task task) {
        byte[] serialized = TaskRunner.serialize(Objects.requireNonNull(task, "task"), "the task " + task);
        LaunchPlan plan = host.plan(spec);
        IsolatedTestInterceptor.requireEnforceable(host, plan, "this sandbox", failUnenforceable);
        try {
            return new DefaultSandboxProcess(host, SandboxRun.start(host, plan,
                    new Messages.RunTask(serialized, ChildJvm.forwardedSystemProperties())), spec);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the sandbox started; it was removed", e);
        }
    }

    @Override
    public SandboxProcess start(Class<?> mainClass, String... args) {
        try {
            mainClass.getMethod("main", String[].class);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(mainClass.getName() + " has no public static void main(String[]) to start", e);
        }
        return start(new MainTask(mainClass.getName(), args.clone()));
    }

    /** Runs a main method in the child; the class is named, so that it is loaded there. */
    private record MainTask(String className, String[] args) implements Task {
        @Override
        public void run() throws Exception {
            Class.forName(className, true, Thread.currentThread().getContextClassLoader())
                    .getMethod("main", String[].class).invoke(null, (Object) args);
        }
    }

    private SandboxResult execute(byte[] task) {
        LaunchPlan plan = host.plan(spec);
        IsolatedTestInterceptor.requireEnforceable(host, plan, "this sandbox", failUnenforceable);
        Duration timeout = spec.timeout().orElse(Configuration.DEFAULT_TIMEOUT);
        try {
            ChildReport report;
            try (SandboxRun run = SandboxRun.start(host, plan, new Messages.RunTask(task, ChildJvm.forwardedSystemProperties()))) {
                report = run.awaitReport(timeout);
            }
            IsolatedTestInterceptor.replayOutput(report);
            return Verdict.of(spec, timeout, report).result();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the sandbox ran; it was killed", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<String> cannotCheckpoint() {
        return Optional.ofNullable(host.probe().criu().unavailable());
    }

    @Override
    public String toString() {
        return "Sandbox " + spec.toString().replace('\n', ',');
    }
}
