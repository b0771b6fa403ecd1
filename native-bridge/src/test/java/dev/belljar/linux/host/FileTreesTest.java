package dev.belljar.linux.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A folder of this user's in a directory anyone may write to: made, or found and trusted only where it is its own. */
class FileTreesTest {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> READABLE_BY_ALL = PosixFilePermissions.fromString("rwxr-xr-x");

    @TempDir
    Path shared;

    @Test
    void aMissingFolderIsMadeWithTheGivenPermissionsAndFoundAgainLater() throws IOException {
        Path dir = shared.resolve("cache-" + Host.effectiveUid());

        assertThat(FileTrees.ownDirectory(dir, READABLE_BY_ALL)).isEqualTo(dir);
        assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(READABLE_BY_ALL);
        Files.writeString(dir.resolve("kept"), "x");
        assertThat(FileTrees.ownDirectory(dir, READABLE_BY_ALL)).isEqualTo(dir);
        assertThat(dir.resolve("kept")).hasContent("x");
    }

    @Test
    void aFolderOthersMayWriteToIsRefused() throws IOException {
        Path dir = Files.createDirectory(shared.resolve("open"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> FileTrees.ownDirectory(dir, OWNER_ONLY)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(dir + " may be written by others (mode 777)").hasMessageContaining("Remove it");
    }

    @Test
    void aLinkIsRefusedEvenToAFolderOfThisUsers() throws IOException {
        Path target = Files.createDirectory(shared.resolve("target"));
        Path link = Files.createSymbolicLink(shared.resolve("link"), target);

        assertThatThrownBy(() -> FileTrees.ownDirectory(link, OWNER_ONLY)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(link + " is a symbolic link");
        assertThat(Files.isSymbolicLink(link)).isTrue();
    }

    @Test
    void anotherUsersFolderIsRefused() throws IOException {
        // As root, a folder handed to another user; otherwise one that root made.
        Path dir;
        long owner;
        if (Host.effectiveUid() == 0) {
            dir = Files.createDirectory(shared.resolve("theirs"), PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            owner = 1500;
            Files.setAttribute(dir, "unix:uid", (int) owner, LinkOption.NOFOLLOW_LINKS);
        } else {
            dir = Path.of("/");
            owner = 0;
        }

        assertThatThrownBy(() -> FileTrees.ownDirectory(dir, OWNER_ONLY)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(dir + " belongs to uid " + owner + ", not to uid " + Host.effectiveUid());
    }
}
