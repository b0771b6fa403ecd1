package dev.belljar.samples.startup;

import dev.belljar.Isolated;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
        List<String> mappings = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> line.endsWith(" " + archive)).toList();
        assertThat(mappings).as("memory maps of the child JVM's archive").isNotEmpty();
        // Only an archive mapped where it was dumped keeps a read-only part, shared with the page
        // cache; a relocated one is all private copies, charged to the sandbox's memory.
        assertThat(mappings).as("memory maps of the child JVM's archive")
                .anySatisfy(line -> assertThat(line.split(" +")[1]).isEqualTo("r--p"));
    }

    /** What the JVM, JUnit and Belljar take before a test does anything fits a small limit. */
    @Test
    @Isolated(memory = "32M")
    void trivialTestFitsIn32M() {
        assertThat(List.of("fits")).containsExactly("fits");
    }
}
