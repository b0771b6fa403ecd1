package dev.belljar.linux.criu;

/** CRIU could not dump or restore a process tree; the message holds its errors and the log's path. */
public final class CheckpointFailedException extends Exception {
    public CheckpointFailedException(String message) {
        super(message);
    }
}
