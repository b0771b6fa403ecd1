package dev.belljar;

import dev.belljar.linux.host.FileTrees;
import dev.belljar.linux.host.Host;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

/**
 * A checkout and a Maven repository under /tmp, as CI workspaces and quick trials have them: a
 * test JVM whose whole class path lies in /tmp runs a test that asks for a fresh tmpfs at /tmp.
 */
class ClassPathUnderTmpTest extends KernelTest {

    @Test
    void aFreshTmpWorksWithTheWholeClassPathUnderTmp() throws Exception {
        Path checkout = Files.createTempDirectory(Path.of("/tmp"), "belljar-checkout-");
        try {
            List<String> copied = new ArrayList<>();
            int index = 0;
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path source = Path.of(entry);
                if (entry.isEmpty() || !Files.exists(source)) {
                    continue;
                }
                Path target = checkout.resolve(index++ + "-" + source.getFileName());
                copy(source, target);
                copied.add(target.toString());
            }
            Process testJvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", String.join(File.pathSeparator, copied), "-Dbelljar.child.cds=false",
                    "-Dbelljar.child.prestart=false", "-Dbelljar.report=false", "-Dbelljar.summary=false",
                    ClassPathUnderTmpTest.class.getName() + "$TestJvm")
                    .redirectErrorStream(true).start();
            String output = new String(testJvm.getInputStream().readAllBytes());
            assertThat(testJvm.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(testJvm.exitValue()).as(output).isZero();
            assertThat(output).contains("1 tests successful");
        } finally {
            FileTrees.delete(checkout);
        }
    }

    private static void copy(Path source, Path target) throws IOException {
        if (!Files.isDirectory(source)) {
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
            return;
        }
        try (Stream<Path> tree = Files.walk(source)) {
            for (Path path : tree.toList()) {
                Path to = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(path, to, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /** The test JVM: runs {@link Inside#freshTmp} and exits 0 when it passed. */
    public static final class TestJvm {
        public static void main(String[] args) {
            SummaryGeneratingListener summary = new SummaryGeneratingListener();
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectMethod(Inside.class, "freshTmp")).build(), summary);
            summary.getSummary().printTo(new PrintWriter(System.out, true));
            summary.getSummary().printFailuresTo(new PrintWriter(System.out, true), 20);
            System.exit(summary.getSummary().getTestsSucceededCount() == 1 ? 0 : 1);
        }
    }

    static class Inside {
        /** Loaded only here, after the mounts: its class file comes from the class path under the tmpfs. */
        static final class LoadedLate {
            static String where() {
                return LoadedLate.class.getProtectionDomain().getCodeSource().getLocation().getPath();
            }
        }

        @Test
        @Isolated(tmpfs = "/tmp:8M")
        void freshTmp() throws IOException {
            String classPath = LoadedLate.where();
            assertThat(classPath).startsWith("/tmp/belljar-checkout-");
            try (Stream<Path> listing = Files.list(Path.of("/tmp"))) {
                assertThat(listing.map(path -> path.getFileName().toString()))
                        .as("a fresh /tmp, with only the class path bound back").hasSize(1).allMatch(name -> name.startsWith("belljar-checkout-"));
            }
            Files.writeString(Path.of("/tmp/written-inside"), "fresh");
            assertThatThrownBy(() -> Files.writeString(Path.of(classPath, "written-inside"), "x"))
                    .isInstanceOf(FileSystemException.class).hasMessageContaining("Read-only file system");
            assertThat(Host.effectiveUid()).isNotNegative();
        }
    }
}
