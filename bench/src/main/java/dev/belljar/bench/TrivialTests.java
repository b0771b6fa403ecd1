package dev.belljar.bench;

import dev.belljar.Isolated;
import dev.belljar.Net;
import dev.belljar.Reuse;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Twenty trivial tests, plain and isolated: the difference is what Belljar costs. */
final class TrivialTests {
    private TrivialTests() {
    }

    static class Plain {
        @RepeatedTest(Bench.TESTS)
        void trivial() {
        }
    }

    /** What one JVM of Surefire's fork per class runs: JUnit's launcher for one class, here of one trivial test. */
    static class PlainOnce {
        @Test
        void trivial() {
        }
    }

    static class IsolatedOnce {
        @Test
        @Isolated
        void trivial() {
        }
    }

    static class IsolatedTrivial {
        @RepeatedTest(Bench.TESTS)
        @Isolated
        void trivial() {
        }
    }

    /** One child runs all twenty, one after another. */
    @Isolated(reuse = Reuse.CLASS)
    static class IsolatedShared {
        @RepeatedTest(Bench.TESTS)
        void trivial() {
        }
    }

    /** Loopback and the host name are set up through JNA in the child. */
    static class IsolatedWithSetup {
        @RepeatedTest(Bench.TESTS)
        @Isolated(net = Net.PRIVATE, hostname = "bench")
        void trivial() {
        }
    }

    static class IsolatedIn32M {
        @RepeatedTest(Bench.SMALL_TESTS)
        @Isolated(memory = "32M")
        void trivial() {
        }
    }
}
