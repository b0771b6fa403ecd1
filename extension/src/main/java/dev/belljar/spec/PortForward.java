package dev.belljar.spec;

import java.io.Serializable;

/**
 * A host service made reachable inside a private network: connections to {@code 127.0.0.1:sandboxPort}
 * inside the sandbox reach {@code 127.0.0.1:hostPort} of the host, through a relay in the test JVM
 * that applies {@code faults}. Written {@code "5432"}, {@code "8080:80"} or
 * {@code "5432 latency=200ms, resetAfter=1K"}.
 */
public record PortForward(int hostPort, int sandboxPort, PortFaults faults) implements Serializable {
    static final String ALLOWED = "a host port, then optionally ':' and the port inside, then optionally faults,"
            + " e.g. \"5432\", \"8080:80\" or \"5432 latency=200ms\"";

    public static PortForward parse(String text, String element) {
        String trimmed = text.strip();
        int space = trimmed.indexOf(' ');
        String ports = space < 0 ? trimmed : trimmed.substring(0, space);
        String faults = space < 0 ? "" : trimmed.substring(space + 1);
        int colon = ports.indexOf(':');
        int hostPort = port(colon < 0 ? ports : ports.substring(0, colon), text, element);
        int sandboxPort = colon < 0 ? hostPort : port(ports.substring(colon + 1), text, element);
        return new PortForward(hostPort, sandboxPort, PortFaults.parse(faults, element + "[" + sandboxPort + "]"));
    }

    private static int port(String port, String text, String element) {
        if (!port.matches("[0-9]{1,9}")) {
            throw new SpecException(element + " = \"" + text + "\": '" + port + "' is not a port; use " + ALLOWED);
        }
        int value = Integer.parseInt(port);
        if (value < 1 || value > 65535) {
            throw new SpecException(element + " = \"" + text + "\": port " + value + " is out of range: a port is 1 to 65535");
        }
        return value;
    }

    @Override
    public String toString() {
        String ports = hostPort == sandboxPort ? Integer.toString(hostPort) : hostPort + ":" + sandboxPort;
        return faults.isNone() ? ports : ports + " " + faults;
    }
}
