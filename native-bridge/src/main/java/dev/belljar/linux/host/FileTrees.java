package dev.belljar.linux.host;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/** Directory trees that Belljar makes for itself, and their removal. */
public final class FileTrees {
    /** The mode bits that let the group and others write. */
    private static final int WRITABLE_BY_OTHERS = 0022;

    private FileTrees() {
    }

    /**
     * {@code dir}, made with {@code permissions} where it is missing, once it is sure to be this
     * user's own: a directory, not a link, owned by the effective user, that no one else may write
     * to. In a directory anyone may write to (the temporary directory), another user could make it
     * first and put there what this user's processes then load or restore.
     *
     * @throws IOException naming the path and what is wrong with it: another user's, a link, or
     *                     writable by others
     */
    public static Path ownDirectory(Path dir, Set<PosixFilePermission> permissions) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(permissions));
            Files.setPosixFilePermissions(dir, permissions);  // the umask may have taken some away
        } catch (FileAlreadyExistsException existing) {
            // made earlier: checked below, as a new one is
        }
        Map<String, Object> attributes = Files.readAttributes(dir, "unix:uid,mode,isDirectory,isSymbolicLink",
                LinkOption.NOFOLLOW_LINKS);
        long owner = ((Number) attributes.get("uid")).longValue();
        int mode = (Integer) attributes.get("mode");
        String wrong = Boolean.TRUE.equals(attributes.get("isSymbolicLink")) ? "is a symbolic link"
                : !Boolean.TRUE.equals(attributes.get("isDirectory")) ? "is not a directory"
                : owner != Host.effectiveUid() ? "belongs to uid " + owner + ", not to uid " + Host.effectiveUid()
                : (mode & WRITABLE_BY_OTHERS) != 0 ? "may be written by others (mode " + Integer.toOctalString(mode & 07777) + ")"
                : null;
        if (wrong != null) {
            throw new IOException(dir + " " + wrong + ": Belljar keeps files there that its processes load, and uses"
                    + " no folder another user could have made or changed. Remove it (as root if need be), and Belljar"
                    + " makes it anew");
        }
        return dir;
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
