package dev.eventstore.examples.leaderboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** {@code GET /leaderboard[?limit=n]}: the best players as JSON, {@code [{"playerId":..,"points":..}]}. */
public final class LeaderboardHttp implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpServer server;

    private LeaderboardHttp(HttpServer server) {
        this.server = server;
    }

    /** Serves {@code leaderboard} on {@code port} (0: a free one). */
    public static LeaderboardHttp start(Leaderboard leaderboard, String host, int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
            server.createContext("/leaderboard", exchange -> respond(exchange, leaderboard));
            server.start();
            return new LeaderboardHttp(server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, Leaderboard leaderboard) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                send(exchange, 405, "{\"error\":\"GET only\"}");
                return;
            }
            int limit = 10;
            String query = exchange.getRequestURI().getQuery();
            if (query != null && query.startsWith("limit=")) {
                try {
                    limit = Integer.parseInt(query.substring("limit=".length()));
                } catch (NumberFormatException e) {
                    limit = -1;
                }
            }
            if (limit < 1 || limit > 1000) {
                send(exchange, 400, "{\"error\":\"limit must be 1 to 1000\"}");
                return;
            }
            send(exchange, 200, MAPPER.writeValueAsString(leaderboard.top(limit)));
        }
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
