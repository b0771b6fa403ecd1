package dev.belljar.internal.parent;

import dev.belljar.Expect;
import dev.belljar.Isolated;
import dev.belljar.Net;
import dev.belljar.Outcome;
import dev.belljar.Reuse;
import dev.belljar.User;
import dev.belljar.spec.Attribute;
import dev.belljar.spec.Metric;
import dev.belljar.spec.SandboxSpec;
import dev.belljar.spec.SpecException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which declarations apply to a test and in which order they merge; fixtures only, no sandbox. */
class IsolatedSpecsTest {

    private static SandboxSpec resolve(Class<?> testClass, String method) throws NoSuchMethodException {
        return resolve(testClass, method, SandboxSpec.empty());
    }

    private static SandboxSpec resolve(Class<?> testClass, String method, SandboxSpec defaults) throws NoSuchMethodException {
        Method m = testClass.getDeclaredMethod(method);
        return IsolatedSpecs.resolve(testClass, m, defaults);
    }

    @Test
    void methodOverridesClassOverridesDefaults() throws NoSuchMethodException {
        SandboxSpec defaults = SandboxSpec.builder().memory("1G").pids(500).hostname("default").build();
        SandboxSpec spec = resolve(Outer.class, "declared", defaults);
        assertThat(spec.memoryBytes()).hasValue(64L << 20);
        assertThat(spec.pids()).hasValue(100);
        assertThat(spec.hostname()).hasValue("default");
        assertThat(spec.net()).isEqualTo(Net.PRIVATE);
        assertThat(spec.readOnly()).as("lists add up").containsExactly("/", "/etc");
    }

    @Test
    void aRunResolvesEachMethodsSpecOnceForItsDefaults() throws NoSuchMethodException {
        IsolatedSpecs.Resolved resolved = new IsolatedSpecs.Resolved();
        Method declared = Outer.class.getDeclaredMethod("declared");
        SandboxSpec defaults = SandboxSpec.builder().hostname("default").build();

        SandboxSpec first = resolved.of(Outer.class, declared, defaults);

        assertThat(resolved.of(Outer.class, declared, SandboxSpec.builder().hostname("default").build()))
                .as("the same, not made again").isSameAs(first);
        assertThat(first).isEqualTo(IsolatedSpecs.resolve(Outer.class, declared, defaults));
        assertThat(resolved.of(Outer.class, Outer.class.getDeclaredMethod("undeclared"), defaults).memoryBytes())
                .as("another method's own").hasValue(256L << 20);
        assertThat(resolved.of(Outer.class, declared, SandboxSpec.builder().hostname("other").build()).hostname())
                .as("other defaults").hasValue("other");
    }

    @Test
    void aMethodWithoutAnnotationsTakesTheClasss() throws NoSuchMethodException {
        SandboxSpec spec = resolve(Outer.class, "undeclared");
        assertThat(spec.memoryBytes()).hasValue(256L << 20);
        assertThat(spec.expect().bounds()).containsOnlyKeys(Metric.CPU_TIME);
    }

    @Test
    void nestedClassesMergeOutermostFirst() throws NoSuchMethodException {
        SandboxSpec spec = resolve(Outer.Inner.class, "inner");
        assertThat(spec.memoryBytes()).as("the inner class's").hasValue(128L << 20);
        assertThat(spec.pids()).as("the outer class's").hasValue(100);
        assertThat(spec.cpuCores()).as("the method's").hasValue(0.5);
        assertThat(spec.expect().outcome()).isEqualTo(Outcome.OOM_KILLED);
        assertThat(spec.expect().bounds()).containsOnlyKeys(Metric.CPU_TIME, Metric.PEAK_MEMORY);
    }

    @Test
    void aMetaAnnotationDeclaresLikeIsolated() throws NoSuchMethodException {
        assertThat(resolve(Outer.class, "meta").memoryBytes()).hasValue(32L << 20);
        assertThat(IsolatedSpecs.isClassIsolated(Outer.Inner.class)).isTrue();
        assertThat(IsolatedSpecs.isClassIsolated(IsolatedSpecsTest.class)).isFalse();
    }

    @Test
    void profileAndSpecTogetherAreRefused() {
        assertThatThrownBy(() -> resolve(Plain.class, "both")).isInstanceOf(SpecException.class)
                .hasMessage("@Isolated on " + Plain.class.getName() + ".both(): profile = \"tiny\" and spec ="
                        + " \"x.yaml\" are both declared: use one (a spec file may extend a profile)");
    }

    @Test
    void swapWithoutMemoryIsRefused() {
        assertThatThrownBy(() -> resolve(Plain.class, "swapOnly")).isInstanceOf(SpecException.class)
                .hasMessage("@Isolated on " + Plain.class.getName() + ".swapOnly(): swap = \"131072K\" needs a"
                        + " memory limit: declare memory too, e.g. memory = \"256M\"");
        assertThatThrownBy(() -> resolve(Plain.class, "undeclared", SandboxSpec.builder().swap("65536K").build()))
                .as("from the configuration: the size in the input syntax")
                .hasMessage("@Isolated on " + Plain.class.getName() + ".undeclared(): swap = \"64M\" needs a"
                        + " memory limit: declare memory too, e.g. memory = \"256M\"");
    }

    @Test
    void badValuesNameTheAnnotation() {
        assertThatThrownBy(() -> resolve(Plain.class, "badMemory"))
                .hasMessageStartingWith("@Isolated on " + Plain.class.getName() + ".badMemory(): memory = \"64Q\" is not a size");
        assertThatThrownBy(() -> resolve(Plain.class, "badWeight")).hasMessage("@Isolated on "
                + Plain.class.getName() + ".badWeight(): cpuWeight = -1 is out of range: use 1 to 10000"
                + " (100 is the kernel's default)");
    }

    /** A test of the table: every attribute is an element of @Isolated, and every element but two is an attribute. */
    @Test
    void everyAttributeIsAnIsolatedElement() {
        Set<String> references = Set.of("profile", "spec");
        List<String> elements = Arrays.stream(Isolated.class.getDeclaredMethods()).map(Method::getName)
                .filter(name -> !references.contains(name)).toList();
        assertThat(Attribute.all().stream().map(Attribute::name).toList())
                .containsExactlyInAnyOrderElementsOf(elements);
        Attribute.all().forEach(IsolatedSpecs::element);
    }

    @Test
    void everyElementHeldAtItsDefaultDeclaresNothing() {
        assertThat(IsolatedSpecs.toSpec(Plain.class.getAnnotation(Isolated.class), "here")).isEqualTo(SandboxSpec.empty());
    }

    @Test
    void everyAttributeReadsFromTheAnnotation() throws NoSuchMethodException {
        Isolated all = Plain.class.getDeclaredMethod("everything").getAnnotation(Isolated.class);
        SandboxSpec spec = IsolatedSpecs.toSpec(all, "here");
        assertThat(Attribute.all()).allSatisfy(attribute -> assertThat(spec.get(attribute)).as(attribute.name()).isPresent());
        assertThat(spec.pidNamespace()).isFalse();
        assertThat(spec.io()).containsOnlyKeys("/data");
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Isolated(memory = "32M")
    @interface Small {
    }

    @Isolated(memory = "256M", pids = 100, readOnly = "/")
    @Expect(cpuTime = "< 5s")
    static class Outer {
        @Isolated(memory = "64M", net = Net.PRIVATE, readOnly = "/etc")
        void declared() {
        }

        void undeclared() {
        }

        @Small
        void meta() {
        }

        @Nested
        @Isolated(memory = "128M")
        @Expect(outcome = Outcome.OOM_KILLED, peakMemory = "< 100M")
        class Inner {
            @Isolated(cpu = "0.5")
            void inner() {
            }
        }
    }

    @Isolated
    static class Plain {
        @Isolated(profile = "tiny", spec = "x.yaml")
        void both() {
        }

        @Isolated(swap = "131072K")
        void swapOnly() {
        }

        void undeclared() {
        }

        @Isolated(memory = "64Q")
        void badMemory() {
        }

        @Isolated(cpuWeight = -1)
        void badWeight() {
        }

        @Isolated(memory = "64M", swap = "0", cpu = "1", memoryHigh = "48M", cpuWeight = 50, cpuset = "0", io = "/data: write=1M",
                pids = 10, net = Net.NONE, pid = false, hostname = "h", domainname = "d.test", user = User.ROOT,
                uptime = "1d", readOnly = "/", writable = "/tmp", tmpfs = "/tmp", hidden = "/root", cgroupNamespace = true,
                timeout = "1m", privileged = true, capabilities = "SYS_ADMIN", hostPorts = "5432",
                netFaults = "rate=1M", reuse = Reuse.CLASS)
        void everything() {
        }
    }
}
