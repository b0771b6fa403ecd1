package dev.belljar.linux.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Raw access to cgroupfs control files. It exists as a seam: a fake tree in a temporary directory
 * keeps whatever is written, so tests replace it to play a kernel that does not keep a value.
 */
interface CgroupFs {

    String read(Path file) throws IOException;

    void write(Path file, String value) throws IOException;

    /**
     * Writes without {@code CREATE}: control files exist or the kernel does not offer them, and a
     * fake tree must not grow a file the real kernel would lack.
     */
    CgroupFs REAL = new CgroupFs() {
        @Override
        public String read(Path file) throws IOException {
            return Files.readString(file);
        }

        @Override
        public void write(Path file, String value) throws IOException {
            Files.writeString(file, value, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        }
    };
}
