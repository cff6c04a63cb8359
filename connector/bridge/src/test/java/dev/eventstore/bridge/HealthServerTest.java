package dev.eventstore.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The health server on a real socket: slow clients, exact paths, methods, HEAD. */
class HealthServerTest {

    private static final BridgeHealth UP = new BridgeHealth(true, true, true, null, 7, null, true, true, "saved");
    private static final HealthReport LIVE = new HealthReport("bridge", List.of(new HealthReport.Check("process", true, "running")));

    private HealthServer server;
    private volatile HealthReport ready = UP.readiness();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void start() throws IOException {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logged.start();
        root.addAppender(logged);
        server = new HealthServer("127.0.0.1", 0, () -> LIVE, () -> ready, () -> "eventstore_bridge_events_published_total 7\n");
    }

    @AfterEach
    void stop() {
        server.close();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logged);
    }

    /** One raw HTTP/1.1 exchange, connection closed after it; the whole response as text. */
    private String exchange(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2_000);
            socket.setSoTimeout(2_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) > 0; ) {
                response.write(buffer, 0, n);
            }
            return response.toString(StandardCharsets.UTF_8);
        }
    }

    private String get(String method, String path) throws IOException {
        return exchange(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    }

    private static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void aSlowClientDoesNotDelayTheProbes() throws Exception {
        // A partial request line, then a byte every 200 ms, on two connections (more than one
        // handler thread would not be enough alone): every probe meanwhile answers within 2 s.
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Socket socket = new Socket("127.0.0.1", server.port());
                socket.getOutputStream().write("GET /hea".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                slow.add(socket);
            }
            int probes = 0;
            while (probes < 5) {
                long started = System.nanoTime();
                String response = get("GET", "/health"); // its read times out after 2 s
                long tookMs = (System.nanoTime() - started) / 1_000_000;
                assertThat(status(response)).isEqualTo(200);
                assertThat(tookMs).as("probe %d while the slow clients dribble", probes).isLessThan(2_000);
                probes++;
                for (Socket socket : slow) {
                    OutputStream out = socket.getOutputStream();
                    out.write('l'); // still sending, never finishing
                    out.flush();
                }
                Thread.sleep(200); // the slow clients' pace, not a wait for a condition
            }
            for (Socket socket : slow) {
                socket.setSoTimeout(1);
                assertThat(readsNothingYet(socket)).as("the slow request is still unanswered, its connection open").isTrue();
            }
            System.out.printf("HEALTH slow_clients=2 probes=%d all_under_ms=2000%n", probes);
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    /** True when nothing arrives on the socket within its (short) read timeout: no response, no close. */
    private static boolean readsNothingYet(Socket socket) throws IOException {
        try {
            socket.getInputStream().read();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        }
    }

    @Test
    void liveAndReadyAnswerApartWithEachCheckNamed() throws Exception {
        ready = new BridgeHealth(true, true, false, null, 7, null, true, true, "saved").readiness();
        String readyResponse = get("GET", "/health/ready");
        assertThat(status(readyResponse)).isEqualTo(503);
        assertThat(body(readyResponse)).contains("\"status\":\"DOWN\"", "\"component\":\"bridge\"",
                "\"kafka\":{\"status\":\"DOWN\"", "\"slot\":{\"status\":\"UP\"", "\"offsets\":{\"status\":\"UP\"");
        assertThat(status(get("GET", "/health"))).as("/health is ready's alias").isEqualTo(503);
        assertThat(body(get("GET", "/health"))).isEqualTo(body(readyResponse));
        String live = get("GET", "/health/live");
        assertThat(status(live)).isEqualTo(200);
        assertThat(body(live)).contains("\"process\":{\"status\":\"UP\"");
        ready = UP.readiness();
        assertThat(status(get("GET", "/health/ready"))).isEqualTo(200);
    }

    @Test
    void onlyTheExactPathsAnswer() throws Exception {
        assertThat(status(get("GET", "/health"))).isEqualTo(200);
        assertThat(body(get("GET", "/health"))).contains("\"status\":\"UP\"");
        assertThat(status(get("GET", "/metrics"))).isEqualTo(200);
        assertThat(status(get("GET", "/health?verbose=1"))).isEqualTo(200);
        for (String path : new String[] {"/healthz", "/metricsX", "/health;x", "/health/", "/", "/health/../metrics2"}) {
            assertThat(status(get("GET", path))).as(path).isEqualTo(404);
        }
    }

    @Test
    void headAnswersWithoutABodyAndOtherMethodsAre405() throws Exception {
        String get = get("GET", "/health");
        String head = get("HEAD", "/health");
        assertThat(status(head)).isEqualTo(200);
        assertThat(body(head)).as("no body after the headers").isEmpty();
        assertThat(head).containsIgnoringCase("Content-Length: " + body(get).getBytes(StandardCharsets.UTF_8).length);
        assertThat(status(get("HEAD", "/healthz"))).isEqualTo(404);
        assertThat(body(get("HEAD", "/metrics"))).isEmpty();
        for (String path : new String[] {"/health/live", "/health/ready", "/health", "/metrics"}) {
            String full = get("GET", path);
            String headOnly = get("HEAD", path);
            assertThat(status(headOnly)).as(path).isEqualTo(status(full));
            assertThat(body(headOnly)).as(path + ": no body after the headers").isEmpty();
            assertThat(headOnly).as(path).containsIgnoringCase("Content-Length: " + body(full).getBytes(StandardCharsets.UTF_8).length);
        }
        ready = new BridgeHealth(true, false, true, null, 7, null, true, true, "saved").readiness();
        assertThat(status(get("HEAD", "/health/ready"))).isEqualTo(503);
        assertThat(body(get("HEAD", "/health/ready"))).isEmpty();
        // The server logs nothing for a HEAD (no IOException for a body it did not write).
        assertThat(logged.list).as("logged while answering HEAD").noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN)
                || e.getThrowableProxy() != null);

        String post = exchange("POST /health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assertThat(status(post)).isEqualTo(405);
        assertThat(post).containsIgnoringCase("Allow: GET, HEAD");
    }

    @Test
    void aSilentConnectionIsClosed() throws Exception {
        long idleMs = 500; // the product's default is HealthServer.IDLE_TIMEOUT_MS
        try (HealthServer quick = new HealthServer("127.0.0.1", 0, () -> LIVE, () -> ready, () -> "", idleMs);
             Socket socket = new Socket("127.0.0.1", quick.port())) {
            socket.setSoTimeout((int) idleMs + 5_000);
            socket.getOutputStream().write("GET /health HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            long started = System.nanoTime();
            try {
                int read = socket.getInputStream().read();
                // Closed by the server (end of stream), perhaps after an error response.
                while (read >= 0) {
                    read = socket.getInputStream().read();
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server kept a silent connection open", e);
            } catch (IOException reset) {
                // closed by the server
            }
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(tookMs).as("closed once silent for the idle timeout, not before").isBetween(idleMs / 2, idleMs + 5_000);
        }
    }
}
