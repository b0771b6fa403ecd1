package dev.belljar.internal.channel;

import dev.belljar.linux.host.Host;

import dev.belljar.linux.host.FileTrees;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;
import java.util.Optional;

/**
 * A child's private directory and every file in it: the channel's pipes, the JVM's argument file,
 * its output, the exit status its init writes, the file hidden paths are covered with. The parent
 * and the child both find their files here; the parent removes the directory with all it holds.
 */
public final class WorkDir implements AutoCloseable {
    private static final String ARGUMENT_FILE = "jvm.args";
    private static final String STDOUT = "stdout";
    private static final String STDERR = "stderr";
    private static final String EXIT_STATUS = "exit-status";
    private static final String RESTORE_LOG = "criu-restore.out";
    private static final String HIDDEN_FILE = "hidden-empty-file";
    private static final String TEMPLATE_READY = "template-ready";
    static final String FROM_CHILD_PIPE = "from-child.fifo";
    static final String TO_CHILD_PIPE = "to-child.fifo";

    private final Path path;

    private WorkDir(Path path) {
        this.path = path;
    }

    /** Where sandboxes' work dirs are: the temporary directory. A work dir has its sandbox's name. */
    public static Path root() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * A directory of this user's in the temporary directory, {@code name-<uid>}, made where it is
     * missing: users share {@code /tmp}, and one user's files there are not another's to write.
     * Readable by all: a sandbox may run as nobody.
     *
     * @throws IOException where it is another user's, a link, or writable by others: see {@link FileTrees#ownDirectory}
     */
    public static Path ofThisUser(String name) throws IOException {
        return FileTrees.ownDirectory(pathOfThisUser(name), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /**
     * {@link #ofThisUser}; empty where it cannot be trusted, which is printed with what children
     * do {@code without} it.
     */
    public static Optional<Path> ofThisUserOrWithout(String name, String without) {
        try {
            return Optional.of(ofThisUser(name));
        } catch (IOException e) {
            System.err.println("[belljar] " + without + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /** Where {@link #ofThisUser} keeps {@code name}, neither made nor checked. */
    public static Path pathOfThisUser(String name) {
        return root().resolve(name + "-" + Host.effectiveUid());
    }

    /** A new directory {@code name} in the temporary directory, open to its owner only. */
    public static WorkDir create(String name) throws IOException {
        return new WorkDir(Files.createDirectory(root().resolve(name),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
    }

    /** A new directory with a unique name beginning with {@code prefix} in {@code parent}. */
    public static WorkDir createIn(Path parent, String prefix) throws IOException {
        return new WorkDir(Files.createTempDirectory(parent, prefix));
    }

    /** The work dir the parent made, as the child finds it. */
    public static WorkDir at(Path path) {
        return new WorkDir(path);
    }

    public Path path() {
        return path;
    }

    Path argumentFile() {
        return path.resolve(ARGUMENT_FILE);
    }

    public Path stdout() {
        return path.resolve(STDOUT);
    }

    public Path stderr() {
        return path.resolve(STDERR);
    }

    /** Where the sandbox's init writes the child's exit status: CRIU does not pass a restored tree's on. */
    public Path exitStatus() {
        return path.resolve(EXIT_STATUS);
    }

    public Path restoreLog() {
        return path.resolve(RESTORE_LOG);
    }

    /** Made by a template child once it is warm and waits to be checkpointed. */
    public Path templateReady() {
        return path.resolve(TEMPLATE_READY);
    }

    /** An empty, unreadable file that hidden paths are covered with. */
    public Path hiddenFile() {
        return path.resolve(HIDDEN_FILE);
    }

    Path fromChildPipe() {
        return path.resolve(FROM_CHILD_PIPE);
    }

    Path toChildPipe() {
        return path.resolve(TO_CHILD_PIPE);
    }

    /** Writes the JVM's argument file (java's {@code @file} syntax); returns its path. */
    public Path writeArgumentFile(List<String> jvmArgs) throws IOException {
        return Files.write(argumentFile(), jvmArgs.stream().map(WorkDir::quote).toList());
    }

    /** Quoting for a java {@code @argfile}: double quotes, with backslashes and quotes escaped. */
    private static String quote(String arg) {
        return "\"" + arg.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Creates the file hidden paths are covered with, now: later the work dir may be read-only or covered. */
    public void createHiddenFile() throws IOException {
        Files.createFile(hiddenFile(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("---------")));
    }

    /** Gives the directory to {@code uid}: a child that runs as that user opens its pipes and files here. */
    public void handOverTo(int uid, int gid) throws IOException {
        UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView dir = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        dir.setOwner(users.lookupPrincipalByName(Integer.toString(uid)));
        dir.setGroup(users.lookupPrincipalByGroupName(Integer.toString(gid)));
    }

    /** Removes the directory with all it holds, never following a link. */
    @Override
    public void close() {
        try {
            FileTrees.delete(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the work dir " + path, e);
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
