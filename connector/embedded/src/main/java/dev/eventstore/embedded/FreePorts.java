package dev.eventstore.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a server on loopback ports, free ones where the caller gives 0. A free port is found by
 * binding a socket and closing it; the server binds it again only after its own start-up work
 * (initdb, a log directory's format), and in between a client's connection or another server may
 * take it. When a start fails and one of the ports found free is taken, the start is tried again
 * on new ones, {@value #ATTEMPTS} times in all. Ports the caller gave are never swapped.
 */
final class FreePorts {

    private static final Logger log = LoggerFactory.getLogger(FreePorts.class);
    static final int ATTEMPTS = 3;

    /** Where a free port comes from. */
    interface Source {
        int next() throws IOException;
    }

    /** Starts the server on these ports (none 0); cleans up after itself when it fails. */
    interface Start<T> {
        T on(int[] ports);
    }

    private FreePorts() {
    }

    /** A loopback port nothing listens on now. */
    static int loopback() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** Whether a server could bind the loopback {@code port} now. */
    static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Starts {@code what} on {@code requested} ports, each 0 for a free one (all different).
     *
     * @throws RuntimeException the last start's failure, when no retry is left or none would help
     */
    static <T> T start(String what, int[] requested, Source source, Start<T> start) {
        for (int attempt = 1; ; attempt++) {
            int[] ports = requested.clone();
            try {
                for (int i = 0; i < ports.length; i++) {
                    for (int tries = 0; ports[i] == 0 && tries < 10; tries++) {
                        int candidate = source.next();
                        if (Arrays.stream(ports).noneMatch(p -> p == candidate)) {
                            ports[i] = candidate;
                        }
                    }
                    if (ports[i] == 0) {
                        throw new IOException("no port apart from " + Arrays.toString(ports));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(what + " failed to start: no free port: " + e.getMessage(), e);
            }
            try {
                return start.on(ports);
            } catch (RuntimeException | Error e) {
                int taken = takenMeanwhile(requested, ports);
                if (taken == 0 || attempt == ATTEMPTS) {
                    throw e;
                }
                log.warn("{} could not start: port {}, free a moment before, was taken meanwhile; trying other ports",
                        what, taken);
            }
        }
    }

    /** The first port found free (not requested) that is taken now, or 0. */
    private static int takenMeanwhile(int[] requested, int[] ports) {
        for (int i = 0; i < ports.length; i++) {
            if (requested[i] == 0 && !free(ports[i])) {
                return ports[i];
            }
        }
        return 0;
    }
}
