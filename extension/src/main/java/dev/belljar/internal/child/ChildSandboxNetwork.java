package dev.belljar.internal.child;

import dev.belljar.SandboxNetwork;
import dev.belljar.internal.channel.Messages;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The child's {@link SandboxNetwork}: each change goes to the parent, whose relays carry the
 * forwarded ports, and the test goes on once the parent answered that it is in force.
 *
 * @param port the port inside, 0 for every forwarded port
 */
record ChildSandboxNetwork(TestRunner.Sender parent, int port) implements SandboxNetwork {

    @Override
    public SandboxNetwork port(int sandboxPort) {
        if (sandboxPort < 1 || sandboxPort > 65535) {
            throw new IllegalArgumentException("network().port(" + sandboxPort + "): a port is 1 to 65535");
        }
        return new ChildSandboxNetwork(parent, sandboxPort);
    }

    @Override
    public void cut() {
        change(Messages.ChangeNetwork.CUT);
    }

    @Override
    public void restore() {
        change(Messages.ChangeNetwork.RESTORE);
    }

    @Override
    public void faults(String faults) {
        if (faults == null || faults.isBlank()) {
            throw new IllegalArgumentException("network().faults(\"" + faults + "\") names no fault: write e.g."
                    + " \"latency=300ms\" or call restore()");
        }
        change(faults);
    }

    private void change(String change) {
        Object answer;
        try {
            answer = parent.ask(new Messages.ChangeNetwork(port, change));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the test JVM, whose relays carry the forwarded ports", e);
        }
        if (!(answer instanceof Messages.NetworkChanged changed)) {
            throw new IllegalStateException("the test JVM answered a network change with " + answer);
        }
        if (changed.error() != null) {
            throw new IllegalArgumentException(changed.error());
        }
    }
}
