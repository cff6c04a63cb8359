package dev.eventstore.bridge;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP endpoint of {@code run} and {@code mirror}: {@code GET /health/live} (200 while the
 * process works, 503 once it has stopped or its loop hangs), {@code GET /health/ready} (200 when
 * every readiness check passes, 503 otherwise), {@code GET /health} (the same as ready), each with
 * a JSON body naming each check and its state ({@link HealthReport}), and {@code GET /metrics}
 * (Prometheus text format). {@code HEAD} answers the same status and headers, the length of the
 * body a GET would get included, and no body; any other method 405, any other path 404 (paths
 * match exactly: {@code /healthz}, {@code /metricsX}, {@code /health/} and {@code /health;x} are 404).
 *
 * <p>On Jetty (already on the class path with Kafka Connect) rather than the JDK's HTTP server: the
 * JDK server reads each request on a handler thread, so one client sending its request a byte at a
 * time holds that thread, and its only timeouts ({@code sun.net.httpserver.maxReqTime},
 * {@code idleInterval}) are system properties read once for the whole JVM, not settings of a
 * server. Jetty parses requests without holding a thread, so slow clients delay nobody; a
 * connection silent for {@link #IDLE_TIMEOUT_MS} is closed; the handlers run on a small bounded
 * pool of daemon threads.
 */
final class HealthServer implements AutoCloseable {

    /** A connection that sends nothing for this long is closed. */
    static final long IDLE_TIMEOUT_MS = 10_000;
    private static final int MAX_THREADS = 8;
    private static final int MIN_THREADS = 2;

    private final Server server;
    private final ServerConnector connector;

    HealthServer(String host, int port, Supplier<HealthReport> live, Supplier<HealthReport> ready, Supplier<String> metrics)
            throws IOException {
        this(host, port, live, ready, metrics, IDLE_TIMEOUT_MS);
    }

    /** As above, closing a connection silent for {@code idleTimeoutMs}. */
    HealthServer(String host, int port, Supplier<HealthReport> live, Supplier<HealthReport> ready, Supplier<String> metrics,
                 long idleTimeoutMs) throws IOException {
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, MIN_THREADS);
        threads.setName("eventstore-http");
        threads.setDaemon(true);
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        http.setRequestHeaderSize(8 * 1024);
        // one acceptor and one selector: a probe every few seconds needs no more
        connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(idleTimeoutMs);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String path = request.getHttpURI().getPath();
                Supplier<HealthReport> health = switch (path == null ? "" : path) {
                    case "/health", "/health/ready" -> ready;
                    case "/health/live" -> live;
                    default -> null;
                };
                if (health != null) {
                    HealthReport current = health.get();
                    respond(request, response, callback, current.up() ? 200 : 503, "application/json", current.toJson());
                } else if ("/metrics".equals(path)) {
                    respond(request, response, callback, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get());
                } else {
                    respond(request, response, callback, 404, "text/plain; charset=utf-8", "not found: try /health/live, /health/ready or /metrics\n");
                }
                return true;
            }
        });
        server.setStopTimeout(2_000);
        try {
            server.start();
        } catch (Exception e) {
            stopQuietly();
            Throwable cause = e.getCause() != null && e.getMessage() == null ? e.getCause() : e;
            throw cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause);
        }
    }

    int port() {
        return connector.getLocalPort();
    }

    private static void respond(Request request, Response response, Callback callback, int status, String contentType,
                                String body) {
        String method = request.getMethod();
        boolean head = HttpMethod.HEAD.is(method);
        if (!head && !HttpMethod.GET.is(method)) {
            response.setStatus(405);
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
            callback.succeeded();
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (head) {
            // The length of the body a GET would get, and no body.
            response.write(true, null, callback);
        } else {
            response.write(true, ByteBuffer.wrap(bytes), callback);
        }
    }

    private void stopQuietly() {
        try {
            server.stop();
        } catch (Exception ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        stopQuietly();
    }
}
