package dev.belljar.linux.criu;

import dev.belljar.linux.host.Host;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The trial of a template's dump and restore, on the real kernel, as root. Where CI provides CRIU
 * 4.1 ({@code BELLJAR_REQUIRE_RESTORE=1}) it must pass; elsewhere it runs where CRIU is usable.
 */
@Tag("kernel")
class TemplateTrialKernelTest {
    private static final Path UNSHARE = Host.findExecutable("unshare").orElseThrow();

    @Test
    void aUsableCriuRestoresTheTrialsShellWithItsNewFiles() {
        assertThat(TemplateTrial.cannotRestore(usableCriu(), UNSHARE)).isEmpty();
    }

    @Test
    void aCriuThatCannotDumpIsRefusedWithWhatItSaid(@TempDir Path dir) throws IOException {
        assumeTrue(Host.effectiveUid() == 0, "restoring needs root");
        Path fake = dir.resolve("criu");
        Files.writeString(fake, """
                #!/bin/sh
                case "$1" in
                  check) echo 'Looks good.' ;;
                  dump) for a; do case "$prev" in --images-dir) d=$a ;; esac; prev=$a; done
                        echo 'Error (criu/fake.c:1): cannot dump here' > "$d/dump.log"; exit 1 ;;
                  *) exit 1 ;;
                esac
                """);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        System.setProperty(Criu.LOCATION_PROPERTY, fake.toString());
        try {
            Criu.Availability criu = Criu.probe();
            assertThat(criu.unavailable()).isNull();

            Optional<String> refused = TemplateTrial.cannotRestore(criu.criu(), UNSHARE);

            assertThat(refused).hasValueSatisfying(reason -> assertThat(reason)
                    .contains("criu dump of process").contains("cannot dump here"));
        } finally {
            System.clearProperty(Criu.LOCATION_PROPERTY);
        }
    }

    @Test
    void whereRunIsNoTmpfsTheKernelFeaturesAreProbedOnceAndKeptForRestores(@TempDir Path dir) throws IOException {
        Criu criu = usableCriu();
        Path folder = dir.resolve("features");

        Criu keeping = criu.withFeaturesKeptIn(folder, UNSHARE);

        if (Criu.keepsKernelFeaturesItself()) {
            assertThat(keeping.keptFeatures()).as("CRIU keeps its own in /run").isEmpty();
            return;
        }
        assertThat(keeping.keptFeatures()).contains(folder);
        assertThat(Files.size(folder.resolve("criu.kdat"))).as("what criu check probed").isPositive();
        assertThat(TemplateTrial.cannotRestore(keeping, UNSHARE)).isEmpty();
    }

    @Test
    void aRestoreFindsTheKeptFeaturesWhereCriuLooksForThem(@TempDir Path dir) throws IOException {
        Criu criu = usableCriu();
        assumeTrue(!Criu.keepsKernelFeaturesItself(), "/run is a tmpfs: CRIU keeps its own");
        Path folder = Files.createDirectory(dir.resolve("features"));
        // Not what CRIU writes: it removes a stale file where it looks, then probes the kernel itself.
        Path stale = Files.write(folder.resolve("criu.kdat"), new byte[64]);

        Criu keeping = criu.withFeaturesKeptIn(folder, UNSHARE);

        assertThat(TemplateTrial.cannotRestore(keeping, UNSHARE)).isEmpty();
        assertThat(stale).as("CRIU found it as /run/criu.kdat").doesNotExist();
    }

    private static Criu usableCriu() {
        assumeTrue(Host.effectiveUid() == 0, "restoring needs root");
        Criu.Availability criu = Criu.probe();
        if (!"1".equals(System.getenv("BELLJAR_REQUIRE_RESTORE"))) {
            assumeTrue(criu.usable().isPresent(), () -> "no usable CRIU: " + criu.unavailable());
        }
        assertThat(criu.unavailable()).isNull();
        return criu.criu();
    }
}
