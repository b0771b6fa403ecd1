package dev.belljar.linux.criu;

import dev.belljar.linux.host.FileTrees;
import dev.belljar.linux.ns.LaunchCommand;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Whether templates can be restored here, tried for real with a shell as small as a template can
 * be: started in new PID, mount, UTS, IPC and network namespaces as a sandbox's child is, dumped
 * while it waits for its first line, killed, then restored with other files, which it must use.
 * {@code criu check} alone does not tell: it passes where a dump or a restore of such a tree fails.
 */
public final class TemplateTrial {
    private static final long STEP_TIMEOUT_SECONDS = 60;

    private TemplateTrial() {
    }

    /** Why {@code criu} cannot restore templates on this host, with what it said; empty when it can. */
    public static Optional<String> cannotRestore(Criu criu, Path unshare) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("belljar-criu-trial");
            return trial(criu, unshare, dir);
        } catch (IOException e) {
            return Optional.of("the trial could not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("the trial was interrupted");
        } finally {
            if (dir != null) {
                try {
                    FileTrees.delete(dir);
                } catch (IOException ignored) {
                    // a trial's directory in the temporary directory; nothing else depends on it
                }
            }
        }
    }

    private static Optional<String> trial(Criu criu, Path unshare, Path dir) throws IOException, InterruptedException {
        LaunchCommand.InitFiles templateFiles = files(dir.resolve("template"));
        LaunchCommand.InitFiles restoredFiles = files(dir.resolve("restored"));
        Path images = Files.createDirectory(dir.resolve("images"));
        Path ready = dir.resolve("ready");
        List<String> argv = new LaunchCommand(unshare).netNamespace(true)
                .initFiles(templateFiles.stdout(), templateFiles.stderr(), templateFiles.exitStatus())
                .build(List.of("/bin/sh", "-c", ": > \"$0\"; read line; echo \"$line\"; exit 3", ready.toString()));
        String stdinPipe;
        Process template = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(dir.resolve("template-launch").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_TIMEOUT_SECONDS);
            while (!Files.exists(ready)) {
                if (!template.isAlive() || System.nanoTime() > deadline) {
                    return Optional.of("the trial's shell did not start in its namespaces: "
                            + Files.readString(dir.resolve("template-launch")).strip());
                }
                Thread.sleep(10);
            }
            long init = initOf(template.pid());
            stdinPipe = Files.readSymbolicLink(Path.of("/proc", Long.toString(init), "fd", "0")).toString();
            try {
                criu.dumpTemplate(init, images);
            } catch (CheckpointFailedException e) {
                return Optional.of(e.getMessage());
            }
        } finally {
            template.destroyForcibly().waitFor();
        }
        Process restored = new ProcessBuilder(criu.restoreTemplateCommand(images, dir, stdinPipe, templateFiles,
                restoredFiles)).redirectErrorStream(true).redirectOutput(dir.resolve("restore-output").toFile()).start();
        try (OutputStream stdin = restored.getOutputStream()) {
            stdin.write("restored\n".getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // the restore failed: its log says why
        }
        if (!restored.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            restored.destroyForcibly().waitFor();
            return Optional.of("criu restore of the trial's shell did not end within " + STEP_TIMEOUT_SECONDS + " s");
        }
        String output = Files.readString(restoredFiles.stdout());
        String status = Files.readString(restoredFiles.exitStatus()).strip();
        if (restored.exitValue() != 0 || !output.equals("restored\n") || !status.equals("3")) {
            return Optional.of("criu restore of the trial's shell failed (exit status " + restored.exitValue()
                    + ", it printed '" + output.strip() + "' and ended with '" + status + "' instead of 'restored' and 3): "
                    + Criu.restoreErrorsOfPassingLog(dir, Files.readString(dir.resolve("restore-output"))));
        }
        return Optional.empty();
    }

    private static LaunchCommand.InitFiles files(Path dir) throws IOException {
        Files.createDirectory(dir);
        return new LaunchCommand.InitFiles(dir.resolve("stdout"), dir.resolve("stderr"), dir.resolve("exit-status"));
    }

    /** The init of the launcher's PID namespace: the root of the tree to dump. */
    public static long initOf(long launcher) throws IOException {
        String children = Files.readString(Path.of("/proc", Long.toString(launcher), "task", Long.toString(launcher),
                "children")).strip();
        if (children.isEmpty()) {
            throw new IOException("the init of process " + launcher + "'s namespaces is gone");
        }
        return Long.parseLong(children.split("\\s+")[0]);
    }
}
