package dev.belljar.samples.startup;

import dev.belljar.Isolated;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An isolated test's JVM starts from the class-data archive that Belljar trains once per class
 * path and JDK: a dynamic CDS archive, or an AOT cache on JDK 25+. That needs Belljar and JUnit
 * in jars, as in any build that depends on them (here: {@code mvn install} or {@code verify}).
 */
class ChildStartUpSamples {

    @Test
    @Isolated
    void childJvmStartsFromTheSharedArchive() throws IOException {
        assumeTrue(Isolated.class.getProtectionDomain().getCodeSource().getLocation().getPath().endsWith(".jar"),
                "Belljar is loaded from class directories here, not a jar: children start without an archive");
        String flag = Runtime.version().feature() >= 25 ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=";
        String archive = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(arg -> arg.startsWith(flag))
                .map(arg -> arg.substring(flag.length()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the child JVM has no " + flag + " flag: "
                        + ManagementFactory.getRuntimeMXBean().getInputArguments()));
        // The JVM maps an archive it can use and ignores one it cannot: only the mapping proves use.
        assertThat(Files.readString(Path.of("/proc/self/maps"))).as("memory maps of the child JVM").contains(archive);
    }
}
