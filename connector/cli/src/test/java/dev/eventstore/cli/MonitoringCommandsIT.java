package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.BridgeTestAccess;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.testing.TestDatabase;
import dev.eventstore.testing.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code status} and the bridge's {@code /metrics} read the same monitoring views: the numbers a
 * running bridge exposes are those {@code status --json} prints, and the publish checkpoint
 * rises past every published event.
 */
class MonitoringCommandsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final BridgeTestAccess support = new BridgeTestAccess();
    private final Cli cli = new Cli();
    private final String group = "leaderboard-" + System.nanoTime();
    private EventBridge bridge;

    MonitoringCommandsIT() {
        support.environment().forEach(cli::with);
    }

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
        support.dropSlot();
    }

    private String scrape() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + bridge.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    @Test
    void statusAndMetricsShowTheViewsNumbers() throws Exception {
        Map<String, String> environment = new HashMap<>(support.environment());
        environment.put(BridgeConfig.environmentVariable(BridgeConfig.Key.HTTP_PORT), "0");
        environment.put(BridgeConfig.environmentVariable(BridgeConfig.Key.METRICS_STORE_INTERVAL_MS), "1000");
        bridge = EventBridge.start(BridgeConfig.load(new Properties(), environment), false);
        bridge.ready().get(60, TimeUnit.SECONDS);
        for (int i = 0; i < 5; i++) {
            support.store().append("game-1", ExpectedVersion.ANY, EventData.of("Tick", "{}"));
        }
        support.store().append("player-1", ExpectedVersion.ANY, EventData.of("Joined", "{}"));
        long third = support.store().readStreamForward("game-1", 3, 1).get(0).eventId();
        support.store().subscriptions().recordPosition(group, "game-1", third, 3, null);
        TestKafka.readUntil(support.topics(), r -> r.size() >= 6, TIMEOUT);
        long lastId;
        try (Connection connection = TestDatabase.get().connect(); Statement sql = connection.createStatement();
             ResultSet rs = sql.executeQuery("SELECT max(event_id) FROM bridge_it.events")) {
            rs.next();
            lastId = rs.getLong(1);
        }

        String lag = "eventstore_store_subscription_lag_events{category=\"game\",subscription=\"" + group + "\"} 2.0";
        Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> {
            String metrics = scrape();
            return metrics.contains(lag) && metrics.contains("eventstore_store_category_events_total{category=\"game\"} 5.0")
                    && metrics.contains("eventstore_store_category_streams{category=\"player\"} 1.0")
                    && metrics.contains("eventstore_bridge_slot_active 1.0")
                    && metrics.contains("eventstore_bridge_published_below_event_id " + (lastId + 1) + ".0");
        });

        Cli.Result status = cli.run("status", "--json");
        assertThat(status.exitCode()).as(status.all()).isZero();
        JsonNode json = new ObjectMapper().readTree(status.out());
        assertThat(json.at("/pipeline/slotActive").asBoolean()).isTrue();
        assertThat(json.at("/pipeline/retainedWalBytes").asLong()).isPositive();
        JsonNode subscription = null;
        for (JsonNode row : json.get("subscriptions")) {
            if (row.get("subscriptionId").asText().equals(group)) {
                subscription = row;
            }
        }
        assertThat(subscription).as(status.out()).isNotNull();
        assertThat(subscription.get("category").asText()).isEqualTo("game");
        assertThat(subscription.get("streamsBehind").asLong()).isEqualTo(1);
        assertThat(subscription.get("eventsBehind").asLong()).isEqualTo(2);
        assertThat(subscription.get("lagSeconds").asDouble()).isPositive();
    }
}
