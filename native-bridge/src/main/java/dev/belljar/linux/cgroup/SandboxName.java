package dev.belljar.linux.cgroup;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of a sandbox's cgroup, and of every other directory that belongs to the sandbox (the
 * extension's work dir): {@code belljar-<pid>-<n>}, the PID of the test JVM that made it and that
 * JVM's count of sandboxes. Once that JVM is gone, the PID tells whose leftover a directory is.
 */
public record SandboxName(long ownerPid, long number) {

    /** 18 digits at most: every such number fits a long. */
    private static final Pattern NAME = Pattern.compile("belljar-([0-9]{1,18})-([0-9]{1,18})");

    /** The name's fields, or empty when {@code name} is not a sandbox name (e.g. {@code belljar-host}). */
    public static Optional<SandboxName> parse(String name) {
        Matcher matcher = NAME.matcher(name);
        return matcher.matches()
                ? Optional.of(new SandboxName(Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2))))
                : Optional.empty();
    }

    /** What every sandbox name of the JVM {@code ownerPid} begins with. */
    static String prefixOf(long ownerPid) {
        return "belljar-" + ownerPid + "-";
    }

    @Override
    public String toString() {
        return prefixOf(ownerPid) + number;
    }
}
