package dev.belljar.linux.libc;

import com.sun.jna.Native;
import com.sun.jna.Platform;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Spares a new JVM on this host the work JNA does at every start before the first native call:
 * on Linux it runs {@code ldconfig -p} to learn the library path, and it unpacks its dispatch
 * library from the jar into a fresh temporary file. This JVM has run ldconfig already, and the
 * library is unpacked once into a cache directory; the flags pass both on, sparing each child that
 * CPU (the guide's "How it works inside" has the figure).
 */
public final class NativeStartup {
    private static final String PLATFORM_PATH_PROPERTY = "jna.platform.library.path";

    private NativeStartup() {
    }

    /**
     * System property flags for a JVM with the same JNA on its class path. The dispatch library
     * is kept in {@code cacheDir}, one directory per JNA native version, readable by every user.
     * Whatever cannot be passed on is left out: that JVM then does the work itself.
     */
    public static List<String> jvmFlags(Path cacheDir) {
        // Loading libc is what makes JNA find the library path and its dispatch library here.
        LibC.INSTANCE.getpid();
        List<String> flags = new ArrayList<>();
        String platformPath = System.getProperty(PLATFORM_PATH_PROPERTY);
        if (platformPath != null) {
            flags.add("-D" + PLATFORM_PATH_PROPERTY + "=" + platformPath);
        }
        try {
            flags.add("-Djna.boot.library.path=" + keptDispatchLibrary(cacheDir));
        } catch (IOException | RuntimeException e) {
            // the JVM unpacks its own copy, as without this flag
        }
        return flags;
    }

    /** The directory holding the dispatch library of this JNA, under the name JNA looks for. */
    private static Path keptDispatchLibrary(Path cacheDir) throws IOException {
        Path dir = cacheDir.resolve("jna-" + Native.VERSION_NATIVE);
        Path kept = dir.resolve(System.mapLibraryName("jnidispatch"));
        if (!Files.isRegularFile(kept)) {
            Files.createDirectories(dir);
            // A sandbox may run as nobody: the directories and the library must be readable by all.
            Files.setPosixFilePermissions(cacheDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            String resource = "/com/sun/jna/" + Platform.RESOURCE_PREFIX + "/" + kept.getFileName();
            try (InputStream library = Native.class.getResourceAsStream(resource)) {
                if (library == null) {
                    throw new IOException("the JNA jar has no " + resource);
                }
                Path partial = Files.createTempFile(dir, "jnidispatch", ".partial");
                try {
                    Files.copy(library, partial, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rwxr-xr-x"));
                    // Atomic: test JVMs running side by side may unpack at the same time.
                    Files.move(partial, kept, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(partial);
                }
            }
        }
        return dir;
    }
}
