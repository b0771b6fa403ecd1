package dev.belljar.linux.cgroup;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Reads, parses and writes cgroup control files; every failure is a {@link CgroupException} that
 * names the file, its directory and the value involved.
 */
final class ControlFiles {

    /** What cgroup v2 (and v1 {@code pids.max}) print for "no limit". */
    static final String UNLIMITED = "max";
    /** Compiled once: accounting is read every few milliseconds while sandboxes run. */
    static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final CgroupFs fs;

    ControlFiles(CgroupFs fs) {
        this.fs = fs;
    }

    static ControlFiles real() {
        return new ControlFiles(CgroupFs.REAL);
    }

    String read(Path file) {
        try {
            return fs.read(file).strip();
        } catch (IOException e) {
            throw new CgroupException("cannot read " + where(file) + ": " + reason(e), e);
        }
    }

    /** The words of a file such as {@code cgroup.controllers}, in their order. */
    static Set<String> words(String text) {
        return text.isBlank() ? Set.of() : new LinkedHashSet<>(Arrays.asList(WHITESPACE.split(text.strip())));
    }

    Optional<String> readIfExists(Path file) {
        return Files.exists(file) ? Optional.of(read(file)) : Optional.empty();
    }

    long readLong(Path file) {
        return parseLong(file, read(file));
    }

    OptionalLong readLongIfExists(Path file) {
        return readIfExists(file).map(text -> OptionalLong.of(parseLong(file, text))).orElse(OptionalLong.empty());
    }

    /** A limit file: empty for {@value #UNLIMITED}, the one place where that word is understood. */
    OptionalLong readLimit(Path file) {
        String text = read(file);
        return text.equals(UNLIMITED) ? OptionalLong.empty() : OptionalLong.of(parseLong(file, text));
    }

    /** A flat-keyed file ({@code key value} per line), e.g. {@code memory.events}, {@code cpu.stat}. */
    Map<String, Long> readKeyed(Path file) {
        Map<String, Long> values = new HashMap<>();
        for (String line : read(file).split("\n")) {
            String[] fields = WHITESPACE.split(line.strip());
            if (fields.length == 2) {
                values.put(fields[0], parseLong(file, fields[1]));
            }
        }
        return values;
    }

    /**
     * The value of {@code key} in a flat-keyed file, e.g. {@code oom_kill} of {@code memory.events}.
     *
     * @throws CgroupException naming the file and the key when the file has no such line
     */
    long readKey(Path file, String key) {
        return requireKey(file, readKeyed(file), key);
    }

    /** The value of {@code key} among {@code values}, read from {@code file} by {@link #readKeyed}. */
    long requireKey(Path file, Map<String, Long> values, String key) {
        Long value = values.get(key);
        if (value == null) {
            throw new CgroupException(where(file) + " has no '" + key + "' line (keys: " + values.keySet() + ")");
        }
        return value;
    }

    /** The PIDs in a {@code cgroup.procs} file; a cgroup that is already gone holds none. */
    List<Long> readPids(Path procsFile) {
        List<Long> pids = new ArrayList<>();
        if (!Files.exists(procsFile)) {
            return pids;
        }
        for (String line : read(procsFile).split("\n")) {
            if (!line.isBlank()) {
                pids.add(parseLong(procsFile, line.strip()));
            }
        }
        return pids;
    }

    /** Writes a command-like file ({@code cgroup.kill}, {@code freezer.state}) that is not read back. */
    void write(Path file, String value) {
        try {
            fs.write(file, value);
        } catch (IOException e) {
            throw new CgroupException("cannot write '" + value + "' to " + where(file) + ": " + reason(e), e);
        }
    }

    /**
     * Writes a limit and reads it back: a limit the kernel silently did not keep is the worst bug a
     * sandbox can have.
     */
    void writeVerified(Path file, String value) {
        write(file, value);
        String kept = read(file);
        if (!kept.equals(value)) {
            throw new CgroupException(where(file) + ": wrote " + value + " but the kernel kept " + kept);
        }
    }

    /**
     * Writes one line of a file keyed by its first word ({@code io.max}, {@code blkio.throttle.*_device}:
     * {@code 8:0 ...}) and reads back the line the kernel keeps for that key.
     */
    void writeVerifiedLine(Path file, String line) {
        String key = WHITESPACE.split(line, 2)[0];
        write(file, line);
        String kept = read(file).lines()
                .filter(each -> WHITESPACE.split(each, 2)[0].equals(key))
                .findFirst()
                .orElse("no line for " + key);
        if (!kept.strip().equals(line)) {
            throw new CgroupException(where(file) + ": wrote " + line + " but the kernel kept " + kept.strip());
        }
    }

    /**
     * A pressure file ({@code some avg10=0.00 avg60=0.00 avg300=0.00 total=N}, and a {@code full}
     * line): empty where it does not exist or the kernel refuses to read it (PSI disabled:
     * EOPNOTSUPP), never zero.
     */
    Optional<Pressure> readPressure(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String text;
        try {
            text = fs.read(file);
        } catch (IOException e) {
            if (reason(e).contains("not supported")) {
                return Optional.empty();
            }
            throw new CgroupException("cannot read " + where(file) + ": " + reason(e), e);
        }
        OptionalLong some = OptionalLong.empty();
        OptionalLong full = OptionalLong.empty();
        for (String line : text.split("\n")) {
            String[] fields = WHITESPACE.split(line.strip());
            for (String field : fields) {
                if (field.startsWith("total=")) {
                    long total = parseLong(file, field.substring("total=".length()));
                    if (fields[0].equals("some")) {
                        some = OptionalLong.of(total);
                    } else if (fields[0].equals("full")) {
                        full = OptionalLong.of(total);
                    }
                }
            }
        }
        if (some.isEmpty()) {
            throw new CgroupException(where(file) + " has no 'some ... total=N' line (read '" + text.strip() + "')");
        }
        return Optional.of(new Pressure(some.getAsLong(), full));
    }

    /** "memory.max in /sys/fs/cgroup/x": the file name first, as users grep for it. */
    static String where(Path file) {
        return file.getFileName() + " in " + file.getParent();
    }

    /** The strerror-like text of a failed file operation, e.g. "Device or resource busy". */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "File exists";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return String.valueOf(e.getMessage());
    }

    static long parseLong(Path file, String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new CgroupException(where(file) + ": expected a number but read '" + text + "'", e);
        }
    }
}
