package dev.belljar.linux.net;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Finding a listening socket in /proc/PID/net/tcp, as the kernel writes it. */
class NamespaceListenersTest {
    private static final List<String> TCP = List.of(
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
            "   0: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 4711 1 0 20 4 30 10 -1",
            "   1: 00000000:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4712 1 0 100 0 0 10 0",
            "   2: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4713 1 0 100 0 0 10 0");

    @Test
    void onlyASocketListeningOnLoopbackAtThatPortCounts() {
        assertThat(NamespaceListeners.listeningInode(TCP, 5432)).as("127.0.0.1:5432, listening").hasValue(4713);
        assertThat(NamespaceListeners.listeningInode(TCP, 8080)).as("connected, not listening").isEmpty();
        assertThat(NamespaceListeners.listeningInode(TCP, 80)).isEmpty();
        assertThat(NamespaceListeners.listeningInode(List.of(), 80)).isEmpty();
    }
}
