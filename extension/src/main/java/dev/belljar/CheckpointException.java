package dev.belljar;

/**
 * A sandbox could not be checkpointed or restored: CRIU is missing, cannot work on this kernel, or
 * failed on this process tree. The message says which, with CRIU's errors and its log file.
 */
public class CheckpointException extends RuntimeException {
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
