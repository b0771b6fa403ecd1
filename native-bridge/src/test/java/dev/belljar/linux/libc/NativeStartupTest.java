package dev.belljar.linux.libc;

import com.sun.jna.Native;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A JVM given the flags loads JNA's dispatch library from the kept copy and is told the library path. */
class NativeStartupTest {

    /** Calls libc through JNA, then prints where the dispatch library came from and the library path. */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println(LibC.INSTANCE.getpid() == ProcessHandle.current().pid());
            System.out.println(System.getProperty("jnidispatch.path"));
            System.out.println(System.getProperty("jna.platform.library.path"));
        }
    }

    @Test
    void aJvmWithTheFlagsUsesTheKeptLibraryAndTheGivenPath(@TempDir Path cache) throws Exception {
        List<String> flags = NativeStartup.jvmFlags(cache);

        Path dir = cache.resolve("jna-" + Native.VERSION_NATIVE);
        Path kept = dir.resolve("libjnidispatch.so");
        String platformPath = System.getProperty("jna.platform.library.path");
        assertThat(flags).containsExactly("-Djna.platform.library.path=" + platformPath, "-Djna.boot.library.path=" + dir);
        assertThat(Files.getPosixFilePermissions(kept)).as("readable by a sandbox running as nobody")
                .containsAll(PosixFilePermissions.fromString("r--r--r--"));
        assertThat(NativeStartup.jvmFlags(cache)).as("the second call reuses the copy").isEqualTo(flags);

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(flags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
        Process probe = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(probe.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(probe.getInputStream().readAllBytes()).lines())
                .containsExactly("true", kept.toString(), platformPath);
    }
}
