package dev.belljar.linux.cgroup;

import dev.belljar.linux.host.Host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Who makes the sandboxes' cgroups, and which cgroup files it may write. Root may write them all;
 * any other user only a subtree delegated to it: the directory (to make cgroups in it) and its
 * {@code cgroup.procs} (to move processes in), as systemd's {@code Delegate=yes} or Belljar's
 * setup leave them.
 *
 * @param writable whether this user may write a file or make entries in a directory
 */
public record CgroupUser(long uid, String name, Predicate<Path> writable) {

    /** The subtree that Belljar's setup makes for {@code user} beneath the cgroup of the one who runs it. */
    public static String setupSubtreeName(String user) {
        return "belljar-for-" + user;
    }

    /** This process's effective user. */
    public static CgroupUser current() {
        long uid = Host.effectiveUid();
        return new CgroupUser(uid, System.getProperty("user.name"), uid == 0 ? Files::exists : Files::isWritable);
    }

    /** Who only reads its own cgroup: places it where root would, beneath its own cgroup. */
    static CgroupUser reader() {
        return new CgroupUser(0, "reader", path -> true);
    }

    public boolean root() {
        return uid == 0;
    }

    /** Whether the cgroup {@code dir} is delegated to this user: it may make cgroups in it and move processes into it. */
    boolean owns(Path dir) {
        return writable.test(dir) && writable.test(dir.resolve("cgroup.procs"));
    }

    /** The name of the subtree the setup makes for this user. */
    String setupSubtree() {
        return setupSubtreeName(name);
    }

    String describe() {
        return "user " + name + " (uid " + uid + ")";
    }
}
