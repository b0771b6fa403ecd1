package dev.belljar;

import dev.belljar.spec.SandboxSpec;

import java.io.Serializable;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code Sandbox} is used to run code under limits from a test that itself stays in the parent JVM.
 * Inject it as a test parameter of a class with {@code @ExtendWith(BelljarExtension.class)}; the
 * {@code belljar.default.*} configuration is its default spec:
 *
 * <pre>{@code
 * @Test
 * void cacheStaysBounded(Sandbox sandbox) {
 *     SandboxResult r = sandbox.with(spec -> spec.memory("64M")).run(CacheWorkload::fill);
 *     assertThat(r).succeeded().memory().peakIsBelow("48M");
 * }
 * }</pre>
 *
 * Each call starts a fresh child JVM in a new sandbox and blocks until it is gone. What the kernel
 * did is the result, not an exception: an OOM kill is {@link Outcome#OOM_KILLED}, the task's own
 * exception is {@link SandboxResult#failure()}.
 */
public interface Sandbox {

    /** The spec this sandbox starts children with. */
    SandboxSpec spec();

    /** A sandbox with this one's spec changed by {@code customizer}, e.g. {@code spec -> spec.memory("64M")}. */
    Sandbox with(Consumer<SandboxSpec.Builder> customizer);

    /** Runs {@code task} in a fresh child JVM in this sandbox. */
    SandboxResult run(Task task);

    /** Runs {@code task} in a fresh child JVM in this sandbox; its return value is {@link SandboxResult#value()}. */
    <T extends Serializable> SandboxResult call(Computation<T> task);

    /**
     * Starts {@code task} in a fresh child JVM in this sandbox and returns at once: the live
     * process, to watch, freeze, thaw and kill. Its timeout does not apply; close it when done.
     */
    SandboxProcess start(Task task);

    /** Starts {@code mainClass.main(args)} in a fresh child JVM in this sandbox; as {@link #start(Task)}. */
    SandboxProcess start(Class<?> mainClass, String... args);

    /**
     * Why {@link SandboxProcess#checkpoint} cannot work on this host (CRIU missing, or too old
     * for this kernel), with the fix; empty when it can. For {@code assumeTrue} in tests.
     */
    Optional<String> cannotCheckpoint();

    /**
     * Code that runs in the child: a static method reference, or a lambda capturing only
     * serializable values. It is serialized to the child, which has the same class path.
     */
    @FunctionalInterface
    interface Task extends Serializable {
        void run() throws Exception;
    }

    /** Like {@link Task}, returning a serializable value to the parent. */
    @FunctionalInterface
    interface Computation<T extends Serializable> extends Serializable {
        T call() throws Exception;
    }
}
