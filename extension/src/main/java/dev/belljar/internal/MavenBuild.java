package dev.belljar.internal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The Maven build this test JVM belongs to: the Maven JVM itself, or the one whose Surefire forked
 * this JVM (directly or through a shell). Its project directory holds the build's one report, and
 * its identity tells the test JVMs of one build (every fork of every module) from those of another.
 *
 * @param projectDirectory the directory Maven was started for ({@code maven.multiModuleProjectDirectory}):
 *                         the top of a multi-module build
 * @param id               the Maven JVM's PID and start time: unique to the build on this host
 */
public record MavenBuild(Path projectDirectory, String id) {
    /** Maven's launcher class, which {@code mvn} starts. */
    private static final String MAVEN_MAIN_CLASS = "org.codehaus.plexus.classworlds.launcher.Launcher";
    private static final String PROJECT_DIRECTORY_ARGUMENT = "-Dmaven.multiModuleProjectDirectory=";
    /** This JVM, a shell Surefire may start it through, and Maven: no further up. */
    private static final int ANCESTORS_LOOKED_AT = 3;

    private static final Optional<MavenBuild> OF_THIS_JVM = find(ProcessHandle.current());

    /** The build this JVM belongs to; empty when no Maven started it (an IDE, a console launcher, Gradle). */
    public static Optional<MavenBuild> ofThisJvm() {
        return OF_THIS_JVM;
    }

    static Optional<MavenBuild> find(ProcessHandle process) {
        Optional<ProcessHandle> candidate = Optional.of(process);
        for (int i = 0; i < ANCESTORS_LOOKED_AT && candidate.isPresent(); i++) {
            ProcessHandle.Info info = candidate.get().info();
            Optional<MavenBuild> build = of(candidate.get().pid(), info.startInstant(),
                    info.arguments().map(List::of).orElse(List.of()));
            if (build.isPresent()) {
                return build;
            }
            candidate = candidate.get().parent();
        }
        return Optional.empty();
    }

    /** The build a process is, from its command line: a Maven JVM started by {@code mvn}, or empty. */
    static Optional<MavenBuild> of(long pid, Optional<Instant> started, List<String> arguments) {
        if (!arguments.contains(MAVEN_MAIN_CLASS)) {
            return Optional.empty();
        }
        return arguments.stream().filter(argument -> argument.startsWith(PROJECT_DIRECTORY_ARGUMENT)).findFirst()
                .map(argument -> new MavenBuild(Path.of(argument.substring(PROJECT_DIRECTORY_ARGUMENT.length())),
                        "maven-" + pid + "-" + started.map(Instant::toEpochMilli).orElse(0L)));
    }
}
