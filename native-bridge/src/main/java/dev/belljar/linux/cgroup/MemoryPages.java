package dev.belljar.linux.cgroup;

/**
 * The kernel stores memory limits in pages and rounds a written byte count down; rounding up first
 * makes the read-back value equal to the written one. 4 KiB is the page size of x86-64 and of the
 * usual arm64 kernels; on a 64 KiB-page kernel the read-back check reports the difference.
 */
final class MemoryPages {

    static final long PAGE_SIZE = 4096;

    private MemoryPages() {
    }

    static long roundUp(long bytes) {
        return -Math.floorDiv(-bytes, PAGE_SIZE) * PAGE_SIZE;
    }
}
