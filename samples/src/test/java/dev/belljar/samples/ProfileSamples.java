package dev.belljar.samples;

import dev.belljar.Isolated;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Every test of the class runs in the sandbox that src/test/resources/belljar.yaml calls "hermetic". */
// tag::class-profile[]
@Isolated(profile = "hermetic")
class ProfileSamples {

    @Test
    void seesOnlyLoopback() throws SocketException {
        assertThat(NetworkInterface.networkInterfaces().map(NetworkInterface::getName)).containsExactly("lo");
    }

    @Test
    void runsUnderTheProfilesHostName() throws IOException {
        assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname")).trim()).isEqualTo("build-box");
    }
}
// end::class-profile[]
