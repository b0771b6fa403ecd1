package dev.belljar.linux.cgroup;

import java.util.Optional;
import java.util.OptionalLong;

/** Bytes read and written by a cgroup, summed over devices; absent where the host has no io accounting. */
record IoBytes(long read, long written) {

    static final IoBytes NONE = new IoBytes(0, 0);

    IoBytes plus(IoBytes other) {
        return new IoBytes(read + other.read, written + other.written);
    }

    static OptionalLong readOf(Optional<IoBytes> io) {
        return io.map(bytes -> OptionalLong.of(bytes.read())).orElse(OptionalLong.empty());
    }

    static OptionalLong writtenOf(Optional<IoBytes> io) {
        return io.map(bytes -> OptionalLong.of(bytes.written())).orElse(OptionalLong.empty());
    }
}
