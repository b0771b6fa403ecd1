package dev.belljar.internal;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Which processes are a Maven build, read off their command lines as {@code mvn} starts them. */
class MavenBuildTest {
    private static final Optional<Instant> STARTED = Optional.of(Instant.ofEpochMilli(1_764_000_000_123L));

    @Test
    void mavenIsKnownByItsLauncherAndNamesItsProjectDirectory() {
        assertThat(MavenBuild.of(4711, STARTED, List.of("-classpath", "/usr/share/maven/boot/plexus-classworlds-2.6.0.jar",
                "-Dclassworlds.conf=/usr/share/maven/bin/m2.conf", "-Dmaven.home=/usr/share/maven",
                "-Dmaven.multiModuleProjectDirectory=/home/ada/shop", "org.codehaus.plexus.classworlds.launcher.Launcher",
                "-B", "install")))
                .contains(new MavenBuild(Path.of("/home/ada/shop"), "maven-4711-1764000000123"));
    }

    @Test
    void otherProcessesAreNoBuild() {
        assertThat(MavenBuild.of(1, STARTED, List.of("-jar", "/x/target/surefire/surefirebooter.jar",
                "-Dmaven.multiModuleProjectDirectory=/home/ada/shop"))).as("a Surefire fork").isEmpty();
        assertThat(MavenBuild.of(2, STARTED, List.of("-c", "cd /home/ada/shop && java -jar surefirebooter.jar")))
                .as("the shell Surefire starts a fork through").isEmpty();
        assertThat(MavenBuild.of(3, STARTED, List.of("org.codehaus.plexus.classworlds.launcher.Launcher")))
                .as("a launcher without a project directory").isEmpty();
        assertThat(MavenBuild.of(4, Optional.empty(), List.of())).as("a process whose command line is hidden").isEmpty();
    }
}
