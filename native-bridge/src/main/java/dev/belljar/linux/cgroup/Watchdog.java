package dev.belljar.linux.cgroup;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Removes this JVM's sandboxes when the JVM dies without doing so itself (SIGKILL, a crash, the
 * OOM killer): a shell outside every sandbox, started once per {@link CgroupManager}, that waits
 * for EOF on a pipe only this JVM holds (a child the JVM starts does not inherit it). The kernel
 * closes the pipe however the JVM ends; {@link #close()} first tells the watchdog to end untouched.
 *
 * <p>At EOF the shell looks for a directory named {@code belljar-<this pid>-*} beneath the
 * sandbox parents and in the same-named places; where there is none (the JVM removed its
 * sandboxes, as on every normal exit) it ends. Else it execs a small JVM that runs
 * {@link Leftovers#main}: it waits until this JVM is gone, kills what runs in its sandboxes and
 * removes them. While it waits the watchdog costs one idle shell; nothing per sandbox.
 */
public final class Watchdog implements AutoCloseable {

    /**
     * $1 is the prefix of this JVM's sandbox names, then the directories to look in, {@code --},
     * the clean-up's command. Signals to the process group (Ctrl-C, a hang-up) do not stop it: the
     * JVM may die of them.
     */
    private static final String SCRIPT = """
            trap '' HUP INT QUIT TERM
            while read -r line; do [ "$line" = done ] && exit 0; done
            prefix=$1; shift; found=
            while [ "$1" != -- ]; do
                for left in "$1/$prefix"*; do [ -e "$left" ] && found=1; done
                shift
            done
            shift
            if [ -n "$found" ]; then exec "$@"; fi
            """;
    private static final String DONE = "done\n";
    /** The shell's $0, which {@code ps} shows. */
    private static final String NAME = "belljar-watchdog";
    /** How long {@link #close()} waits for the watchdog to end: a shell reading one line needs far less. */
    private static final Duration END_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;

    private Watchdog(Process process) {
        this.process = process;
    }

    static Watchdog start(CgroupHost host, List<Path> sameNamedIn) {
        long pid = ProcessHandle.current().pid();
        OptionalLong startTicks = SandboxOwners.real().startTicks(pid);
        if (startTicks.isEmpty() || startTicks.getAsLong() < 0) {
            throw new CgroupException("cannot read the start time of this JVM from /proc/" + pid + "/stat: the"
                    + " watchdog that removes its sandboxes after a crash could not tell when it is gone");
        }
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", SCRIPT, NAME,
                SandboxName.prefixOf(pid)));
        host.parents().forEach(parent -> argv.add(parent.toString()));
        sameNamedIn.forEach(dir -> argv.add(dir.toString()));
        argv.add("--");
        argv.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
                "-cp", ownClassPath(), Leftovers.class.getName(),
                Long.toString(pid), Long.toString(startTicks.getAsLong())));
        argv.addAll(host.arguments());
        argv.add("--");
        sameNamedIn.forEach(dir -> argv.add(dir.toString()));
        try {
            return new Watchdog(new ProcessBuilder(argv)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start());
        } catch (IOException e) {
            throw new CgroupException("cannot start the watchdog that removes this JVM's sandboxes after a crash ("
                    + argv.get(0) + "): " + ControlFiles.reason(e), e);
        }
    }

    /** Where the classes of this module are: the clean-up needs nothing else. */
    private static String ownClassPath() {
        try {
            return Path.of(Leftovers.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException | NullPointerException e) {
            throw new CgroupException("cannot tell where the classes of " + Leftovers.class.getName() + " are: " + e, e);
        }
    }

    /** The watchdog's process: to tell what it costs, and in tests. */
    public ProcessHandle process() {
        return process.toHandle();
    }

    /**
     * Tells the watchdog that this JVM removed its sandboxes itself, and returns once it ended
     * without touching anything (or, should it hang, after {@link #END_TIMEOUT}).
     */
    @Override
    public void close() {
        try (OutputStream toWatchdog = process.getOutputStream()) {
            toWatchdog.write(DONE.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // it has ended already
        }
        try {
            process.waitFor(END_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether {@code process} is a watchdog of this JVM's: tests that no process is left except it need to know. */
    public static boolean isWatchdogOfThisJvm(ProcessHandle process) {
        List<String> arguments = List.of(process.info().arguments().orElse(new String[0]));
        int name = arguments.indexOf(NAME);
        return name >= 0 && name + 1 < arguments.size()
                && arguments.get(name + 1).equals(SandboxName.prefixOf(ProcessHandle.current().pid()));
    }
}
