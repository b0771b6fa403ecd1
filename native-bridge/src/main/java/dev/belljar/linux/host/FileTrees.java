package dev.belljar.linux.host;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;

/** Removal of directory trees that Belljar made. */
public final class FileTrees {
    private FileTrees() {
    }

    /**
     * Removes {@code dir} with all it holds. Every step is relative to a directory held open and
     * never follows a link: in a directory anyone may write to (the temporary directory), a
     * directory swapped for a link meanwhile cannot make it remove anything elsewhere.
     *
     * @throws java.nio.file.NoSuchFileException when {@code dir} is gone
     */
    public static void delete(Path dir) throws IOException {
        try (DirectoryStream<Path> parent = Files.newDirectoryStream(dir.toAbsolutePath().getParent())) {
            if (!(parent instanceof SecureDirectoryStream<Path> secure)) {
                throw new IOException("cannot remove " + dir + " safely: no directory handles on this file system");
            }
            deleteIn(secure, dir.getFileName());
        }
    }

    private static void deleteIn(SecureDirectoryStream<Path> parent, Path name) throws IOException {
        try (SecureDirectoryStream<Path> dir = parent.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
            for (Path entry : dir) {
                Path child = entry.getFileName();
                if (dir.getFileAttributeView(child, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .readAttributes().isDirectory()) {
                    deleteIn(dir, child);
                } else {
                    dir.deleteFile(child);
                }
            }
        }
        parent.deleteDirectory(name);
    }
}
