package dev.belljar.samples;

import dev.belljar.Isolated;
import org.junit.jupiter.api.Test;

import java.net.Socket;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A spec file next to the profiles: it extends one and changes what it needs. */
class SpecFileSamples {

    // tag::spec-file[]
    @Test
    @Isolated(spec = "sandboxes/offline-import.yaml")
    void importRunsWithoutAnyNetwork() {
        assertThatThrownBy(() -> new Socket("127.0.0.1", 80).close())   // not even loopback
                .hasMessageContaining("Network is unreachable");
    }
    // end::spec-file[]
}
