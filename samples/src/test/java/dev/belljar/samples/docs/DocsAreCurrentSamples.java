package dev.belljar.samples.docs;

import dev.belljar.Expect;
import dev.belljar.Isolated;
import dev.belljar.spec.Metric;
import dev.belljar.spec.SpecException;
import dev.belljar.spec.SpecFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Keeps docs/ from drifting away from the code: the reference tables list exactly the attributes,
 * YAML keys and configuration keys there are, and every quoted snippet is the tagged region of the
 * sample it names, as it compiles today. Runs in the test JVM; no sandbox.
 */
class DocsAreCurrentSamples {
    /** {@code <!-- snippet: samples/src/test/java/dev/belljar/samples/File.java#NAME -->} */
    private static final Pattern SNIPPET = Pattern.compile("<!--\\s*snippet:\\s*(\\S+)#(\\S+)\\s*-->");
    /** {@code // tag::NAME[]} in Java, {@code # tag::NAME[]} in YAML. */
    private static final Pattern MARKER = Pattern.compile("^\\s*(?://|#)\\s*(tag|end)::([\\w.-]+)\\[]\\s*$");
    private static final Pattern FIRST_CELL_NAME = Pattern.compile("^\\|\\s*`([^`]+)`");
    private static final Pattern STRING_LITERAL = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** The repository root: the samples module runs with its own directory as the working directory. */
    private static final Path ROOT = repositoryRoot();

    private static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("docs")) ? here : here.resolve("..").normalize();
    }

    @Test
    void isolatedTableListsEveryAttribute() throws IOException {
        assertThat(tableNames("reference.md", "`@Isolated` attributes"))
                .as("rows of the @Isolated table in docs/reference.md")
                .containsExactlyInAnyOrderElementsOf(methodNames(Isolated.class));
    }

    @Test
    void expectTableListsEveryAttribute() throws IOException {
        assertThat(tableNames("reference.md", "`@Expect` attributes"))
                .as("rows of the @Expect table in docs/reference.md")
                .containsExactlyInAnyOrderElementsOf(methodNames(Expect.class));
    }

    /**
     * The YAML reader is package-private; what it accepts is asked of it through the public
     * {@link SpecFiles}: an unknown key is an error that lists the keys allowed at that place.
     */
    @Test
    void yamlTableListsTheKeysTheReaderAccepts(@TempDir Path dir) throws IOException {
        List<String> topLevel = allowedKeys(dir.resolve("top"), "unknownTopLevelKey: 1\n");
        List<String> spec = allowedKeys(dir.resolve("spec"), "profiles:\n  p:\n    unknownSpecKey: 1\n");
        List<String> expect = allowedKeys(dir.resolve("expect"), "profiles:\n  p:\n    expect:\n      unknownBound: 1\n");
        assertThat(expect).as("expect: keys the reader accepts").containsAll(Metric.keys());

        Set<String> accepted = new TreeSet<>(topLevel);
        accepted.addAll(spec);
        expect.forEach(key -> accepted.add("expect." + key));
        assertThat(new TreeSet<>(tableNames("reference.md", "YAML keys")))
                .as("rows of the YAML table in docs/reference.md (expect: keys as expect.KEY)")
                .containsExactlyElementsOf(accepted);
    }

    @Test
    void configurationTableListsTheKeysTheCodeReads() throws IOException {
        Path sources = ROOT.resolve("extension/src/main/java/dev/belljar");
        Set<String> literals = new LinkedHashSet<>();
        // The keys, and the attribute names that follow belljar.default.
        for (String file : List.of("internal/Configuration.java", "spec/Attribute.java")) {
            Matcher m = STRING_LITERAL.matcher(Files.readString(sources.resolve(file)));
            while (m.find()) {
                literals.add(m.group(1));
            }
        }
        Set<String> prefixes = literals.stream().filter(s -> s.startsWith("belljar.") && s.endsWith("."))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> keys = literals.stream().filter(s -> s.startsWith("belljar.") && !s.endsWith("."))
                .collect(Collectors.toCollection(TreeSet::new));
        List<String> documented = tableNames("reference.md", "Configuration keys");

        // A key is a literal, or a literal prefix (belljar.default.) and a literal name (memory).
        assertThat(documented).as("configuration keys in docs/reference.md that the code does not read")
                .allSatisfy(key -> assertThat(keys.contains(key) || prefixes.stream().anyMatch(prefix ->
                        key.startsWith(prefix) && literals.contains(key.substring(prefix.length()))))
                        .as(key).isTrue());
        assertThat(documented).as("configuration keys the code reads").containsAll(keys);
        assertThat(prefixes).as("configuration key prefixes the code reads")
                .allSatisfy(prefix -> assertThat(documented).anyMatch(key -> key.startsWith(prefix)));
    }

    @Test
    void everySnippetIsTheTaggedRegionOfItsSample() throws IOException {
        List<String> problems = new ArrayList<>();
        int snippets = 0;
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            for (Path doc : docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                List<String> lines = Files.readAllLines(doc);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = SNIPPET.matcher(lines.get(i));
                    if (!m.find()) {
                        continue;
                    }
                    snippets++;
                    String where = ROOT.relativize(doc) + ":" + (i + 1) + " (" + m.group(1) + "#" + m.group(2) + ")";
                    if (i + 1 >= lines.size() || !lines.get(i + 1).startsWith("```")) {
                        problems.add(where + ": the snippet comment must be followed directly by a ``` fence");
                        continue;
                    }
                    int end = i + 2;
                    while (end < lines.size() && !lines.get(end).startsWith("```")) {
                        end++;
                    }
                    List<String> quoted = lines.subList(i + 2, end);
                    Path source = ROOT.resolve(m.group(1));
                    if (!Files.isRegularFile(source)) {
                        problems.add(where + ": no such file " + source);
                        continue;
                    }
                    List<String> region = taggedRegion(Files.readAllLines(source), m.group(2));
                    if (region == null) {
                        problems.add(where + ": " + m.group(1) + " has no region // tag::" + m.group(2) + "[] ... // end::"
                                + m.group(2) + "[]");
                    } else if (!dedent(region).equals(dedent(quoted))) {
                        problems.add(where + ": the quoted lines differ from the tagged region; it reads:\n"
                                + String.join("\n", dedent(region)));
                    }
                }
            }
        }
        assertThat(snippets).as("snippets in docs/*.md").isPositive();
        if (!problems.isEmpty()) {
            fail(problems.size() + " snippet(s) in docs/ are out of date:\n" + String.join("\n\n", problems));
        }
    }

    /** The names in the first cells (in backticks) of the first table under the heading {@code heading}. */
    private static List<String> tableNames(String doc, String heading) throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("docs").resolve(doc));
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("#+\\s+" + Pattern.quote(heading) + "\\s*")) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            throw new AssertionError("docs/" + doc + " has no heading \"" + heading + "\"");
        }
        int i = at + 1;
        while (i < lines.size() && !lines.get(i).startsWith("|")) {
            if (lines.get(i).startsWith("#")) {
                throw new AssertionError("docs/" + doc + ": no table under \"" + heading + "\"");
            }
            i++;
        }
        i += 2; // the header row and the |---| row
        List<String> names = new ArrayList<>();
        for (; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            Matcher m = FIRST_CELL_NAME.matcher(lines.get(i));
            if (!m.find()) {
                throw new AssertionError("docs/" + doc + " line " + (i + 1) + ": a row must start with its name in"
                        + " backticks: " + lines.get(i));
            }
            names.add(m.group(1));
        }
        assertThat(names).as("rows under \"" + heading + "\" in docs/" + doc).doesNotHaveDuplicates().isNotEmpty();
        return names;
    }

    private static List<String> methodNames(Class<?> annotation) {
        return Arrays.stream(annotation.getDeclaredMethods()).map(Method::getName).toList();
    }

    /** Parses {@code yaml} as a belljar.yaml and returns the keys its error says are allowed where the unknown one is. */
    private static List<String> allowedKeys(Path dir, String yaml) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("belljar.yaml"), yaml);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            SpecFiles.profile("p", loader);
        } catch (SpecException e) {
            Matcher m = Pattern.compile("allowed here: (.*)$").matcher(e.getMessage());
            if (m.find()) {
                return Arrays.stream(m.group(1).split(",")).map(String::trim).toList();
            }
            throw new AssertionError("the YAML reader's error no longer lists the allowed keys: " + e.getMessage(), e);
        }
        throw new AssertionError("the YAML reader accepted an unknown key in:\n" + yaml);
    }

    /** The lines between {@code tag::name[]} and {@code end::name[]}, without other markers; null when there is none. */
    private static List<String> taggedRegion(List<String> lines, String name) {
        List<String> region = null;
        for (String line : lines) {
            Matcher m = MARKER.matcher(line);
            if (m.matches()) {
                if (m.group(2).equals(name)) {
                    if (m.group(1).equals("tag")) {
                        region = new ArrayList<>();
                    } else if (region != null) {
                        return region;
                    }
                }
                continue;
            }
            if (region != null) {
                region.add(line);
            }
        }
        return null;
    }

    /** The lines with their common leading indentation removed (blank lines do not count) and trailing spaces dropped. */
    private static List<String> dedent(List<String> lines) {
        int common = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        return lines.stream().map(l -> l.isBlank() ? "" : l.substring(common).stripTrailing()).toList();
    }
}
