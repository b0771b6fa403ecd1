package dev.belljar.linux.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds fake cgroupfs trees of plain files in a temporary directory. */
final class FakeCgroupFs {

    private FakeCgroupFs() {
    }

    /** Creates {@code dir/name} with {@code content} (and the directory); returns the directory. */
    static Path file(Path dir, String name, String content) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name), content);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A kernel that keeps {@code kept} whatever is written to files named {@code name}. */
    static CgroupFs keeping(String name, String kept) {
        return new CgroupFs() {
            @Override
            public String read(Path file) throws IOException {
                return CgroupFs.REAL.read(file);
            }

            @Override
            public void write(Path file, String value) throws IOException {
                CgroupFs.REAL.write(file, file.getFileName().toString().equals(name) ? kept : value);
            }
        };
    }
}
