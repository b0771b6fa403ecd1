package dev.belljar.spec;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Specs declared in YAML on the test class path: profiles in {@code belljar.yaml} at its root
 * ({@code @Isolated(profile = ...)}) and spec files ({@code @Isolated(spec = ...)}). Every error is a
 * {@link SpecException} naming the file, the line, the offending value and what is allowed.
 */
public final class SpecFiles {
    /** The file that holds the profiles, at the root of the test class path. */
    private static final String PROFILES_FILE = "belljar.yaml";

    /** Parsed once per file: every isolated test of a run asks, many at a time. Keyed by URL text, as URL.equals resolves host names. */
    private static final Map<String, YamlProfiles> PROFILES_BY_URL = new ConcurrentHashMap<>();

    private SpecFiles() {
    }

    /** The profile called {@code name} in the belljar.yaml that {@code loader} finds, its {@code extends:} applied. */
    public static SandboxSpec profile(String name, ClassLoader loader) {
        URL url = loader.getResource(PROFILES_FILE);
        if (url == null) {
            throw new SpecException("profile \"" + name + "\" not found: there is no " + PROFILES_FILE
                    + " at the root of the test class path (ClassLoader.getResource(\"" + PROFILES_FILE
                    + "\") found nothing); declare profiles in src/test/resources/" + PROFILES_FILE
                    + ", e.g. profiles: { " + name + ": { memory: 64M } }");
        }
        return PROFILES_BY_URL.computeIfAbsent(url.toString(), source -> YamlProfiles.parse(read(url), source))
                .profile(name);
    }

    /** The spec file at {@code path} on {@code loader}'s class path, its {@code extends:} resolved against belljar.yaml. */
    public static SandboxSpec file(String path, ClassLoader loader) {
        // ClassLoader resources have no leading slash, but Class.getResource taught people to write one.
        String resource = path.startsWith("/") ? path.substring(1) : path;
        URL url = loader.getResource(resource);
        if (url == null) {
            throw new SpecException("spec file \"" + path + "\" not found on the test class path (ClassLoader.getResource(\""
                    + resource + "\") found nothing); the path is relative to the class path root, e.g. "
                    + "src/test/resources/" + resource);
        }
        if (isDirectory(url)) {
            String directory = resource.replaceAll("/+$", "");
            String prefix = directory.isEmpty() ? "" : directory + "/";
            List<String> yamlFiles = yamlFiles(url).stream().map(name -> prefix + name).toList();
            throw new SpecException("spec file \"" + path + "\" is a directory (" + url + "), not a YAML file: "
                    + (yamlFiles.isEmpty() ? "name a YAML file, e.g. " + prefix + "sandbox.yaml"
                    : "name one of its YAML files: " + String.join(", ", yamlFiles)));
        }
        return YamlSpecFile.parse(read(url), url.toString(), profile -> profile(profile, loader));
    }

    /** Whether the resource is a directory: in the file system or in a jar. */
    private static boolean isDirectory(URL url) {
        try {
            if (url.getProtocol().equals("file")) {
                return Files.isDirectory(Path.of(url.toURI()));
            }
            return url.openConnection() instanceof JarURLConnection jar && jar.getJarEntry() != null
                    && jar.getJarEntry().isDirectory();
        } catch (URISyntaxException | IOException | IllegalArgumentException e) {
            return false; // read() reports what cannot be read
        }
    }

    /** The YAML files directly in a directory of the file system, by name; none for a jar. */
    private static List<String> yamlFiles(URL url) {
        if (!url.getProtocol().equals("file")) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".yaml") || name.endsWith(".yml")).sorted().toList();
        } catch (URISyntaxException | IOException e) {
            return List.of();
        }
    }

    private static String read(URL url) {
        try (InputStream in = url.openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SpecException("cannot read " + url + ": " + e);
        }
    }
}
