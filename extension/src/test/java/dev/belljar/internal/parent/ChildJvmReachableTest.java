package dev.belljar.internal.parent;

import dev.belljar.User;
import dev.belljar.spec.SandboxSpec;
import dev.belljar.spec.SpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A child that becomes nobody is refused before it starts where it could not read its class path. */
class ChildJvmReachableTest {
    @TempDir
    Path tmp;

    private final SandboxSpec nobody = SandboxSpec.builder().user(User.NOBODY).build();

    @Test
    void aCheckoutInADirectoryOfMode700IsRefusedNamingThatDirectory() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path classes = Files.createDirectories(home.resolve("project/target/classes"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));

        assertThatThrownBy(() -> ChildJvm.requireReachable(nobody, classes.toString()))
                .isInstanceOf(SpecException.class)
                .hasMessage("user = NOBODY cannot reach " + classes + ", which the sandbox's JVM loads classes or"
                        + " libraries from: " + home + " (rwx------) lets no other user through; allow it (chmod o+x "
                        + home + "), build from a directory others may read, or run the test as CALLER or ROOT");
        assertThatCode(() -> ChildJvm.requireReachable(SandboxSpec.builder().user(User.ROOT).build(), classes.toString()))
                .doesNotThrowAnyException();
    }

    @Test
    void aClassDirectoryOthersMayNotReadIsRefusedButAJarIsOpenedBeforeTheChildDropsToNobody() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path classes = Files.createDirectory(tmp.resolve("classes"));
        Files.setPosixFilePermissions(classes, PosixFilePermissions.fromString("rwxr-x---"));
        Path privateRepository = Files.createDirectory(tmp.resolve("m2"));
        Path jar = Files.writeString(privateRepository.resolve("lib.jar"), "");
        Files.setPosixFilePermissions(privateRepository, PosixFilePermissions.fromString("rwx------"));

        assertThatThrownBy(() -> ChildJvm.requireReachable(nobody, classes.toString()))
                .hasMessageContaining(classes + " (rwxr-x---) is not readable to other users; allow it (chmod o+r " + classes + ")");
        assertThatCode(() -> ChildJvm.requireReachable(nobody, jar.toString())).doesNotThrowAnyException();
        assertThat(jar).exists();
    }
}
