package dev.eventstore.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A port found free but taken before the server binds it: the start is tried again on another,
 * a bounded number of times; a failure for any other reason, or on a port the caller gave, is not.
 */
class FreePortsTest {

    /** A start that fails like a server finding its port taken, and succeeds on a free one. */
    private static int[] startOn(int[] ports, List<int[]> tried) {
        tried.add(ports.clone());
        for (int port : ports) {
            if (!FreePorts.free(port)) {
                throw new IllegalStateException("port " + port + " in use");
            }
        }
        return ports;
    }

    @Test
    void aPortTakenMeanwhileGivesWayToAnother() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int[] offered = {0};
            List<int[]> tried = new ArrayList<>();
            int[] ports = FreePorts.start("test server", new int[] {0, 0},
                    () -> ++offered[0] == 1 ? taken.getLocalPort() : FreePorts.loopback(), p -> startOn(p, tried));

            assertThat(tried).hasSize(2);
            assertThat(tried.get(0)[0]).isEqualTo(taken.getLocalPort());
            assertThat(ports).doesNotContain(taken.getLocalPort());
            assertThat(ports[0]).isNotEqualTo(ports[1]);
        }
    }

    @Test
    void aPortTheCallerGaveIsNotSwapped() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<int[]> tried = new ArrayList<>();
            assertThatThrownBy(() -> FreePorts.start("test server", new int[] {taken.getLocalPort()}, FreePorts::loopback,
                    p -> startOn(p, tried))).hasMessageContaining("in use");
            assertThat(tried).hasSize(1);
        }
    }

    @Test
    void aFailureOnFreePortsIsNotRetried() {
        List<int[]> tried = new ArrayList<>();
        assertThatThrownBy(() -> FreePorts.start("test server", new int[] {0}, FreePorts::loopback, p -> {
            tried.add(p);
            throw new IllegalStateException("bad setting");
        })).hasMessage("bad setting");
        assertThat(tried).hasSize(1);
    }

    @Test
    void portsTakenEveryTimeGiveUpAfterTheLastAttempt() throws IOException {
        try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket second = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket third = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int[] held = {first.getLocalPort(), second.getLocalPort(), third.getLocalPort()};
            int[] offered = {0};
            List<int[]> tried = new ArrayList<>();
            assertThatThrownBy(() -> FreePorts.start("test server", new int[] {0}, () -> held[offered[0]++ % 3],
                    p -> startOn(p, tried))).hasMessageContaining("in use");
            assertThat(tried).hasSize(FreePorts.ATTEMPTS);
        }
    }
}
