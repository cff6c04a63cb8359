package dev.eventstore.bridge;

import static dev.eventstore.testing.EventRecordContract.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventData;
import dev.eventstore.EventMetadata;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.RecordedEvent;
import dev.eventstore.testing.EventRecordContract;
import dev.eventstore.testing.TestKafka;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventBridgeIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final BridgeTestSupport support = new BridgeTestSupport();
    private final List<EventBridge> bridges = new ArrayList<>();

    @AfterEach
    void stopBridges() {
        bridges.forEach(EventBridge::close);
        support.dropSlot();
    }

    private EventBridge startBridge(Map<String, Object> overrides) throws Exception {
        Map<String, Object> config = support.config();
        config.putAll(overrides);
        EventBridge bridge = EventBridge.start(new BridgeConfig(config), false);
        bridges.add(bridge);
        bridge.ready().get(60, TimeUnit.SECONDS);
        return bridge;
    }

    private static EventData event(String type, String data) {
        return EventData.of(type, data, EventMetadata.builder().correlationId("corr-1").causationId("cause-1")
                .actor("player:7").put("region", "eu").build());
    }

    @Test
    void anAppendedEventArrivesWithTheRecordContract() throws Exception {
        // One event stored before the bridge first starts (published by the snapshot), one after.
        support.store.append("game-42", ExpectedVersion.NO_STREAM, event("GameStarted", "{\"mode\":\"race\",\"players\":[\"a\",\"b\"]}"));
        startBridge(Map.of());
        support.store.append("game-42", ExpectedVersion.exactly(1), event("RoundStarted", "{\"round\": 1, \"word\": \"ünïcødé ✓\"}"));

        List<ConsumerRecord<String, byte[]>> records = TestKafka.readUntil(support.topics(), r -> r.size() >= 2, TIMEOUT);
        List<RecordedEvent> stored = support.store.readStreamForward("game-42", 1, 10);
        assertThat(records).hasSize(2);
        for (int i = 0; i < 2; i++) {
            EventRecordContract.assertRecord(records.get(i), stored.get(i), support.topicPrefix, "/eventstore");
        }
    }

    @Test
    void manyStreamsAppendedConcurrentlyArriveInOrderPerStream() throws Exception {
        startBridge(Map.of());
        int writers = 8;
        int streamsPerWriter = 5;
        int eventsPerStream = 20;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    for (int v = 1; v <= eventsPerStream; v++) {
                        for (int s = 0; s < streamsPerWriter; s++) {
                            String stream = (s % 2 == 0 ? "game-" : "player-") + writer + "_" + s;
                            support.store.append(stream, ExpectedVersion.exactly(v - 1),
                                    EventData.of("Tick", "{\"v\":" + v + "}"));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        int total = writers * streamsPerWriter * eventsPerStream;
        List<ConsumerRecord<String, byte[]>> records = TestKafka.readToEnd(support.topics(), total, TIMEOUT);
        assertThat(records).hasSize(total);
        Map<String, List<Long>> versions = new HashMap<>();
        // Records arrive per partition in offset order; a stream lives in one partition.
        records.stream()
                .sorted(java.util.Comparator.comparing((ConsumerRecord<String, byte[]> r) -> r.topic())
                        .thenComparing(ConsumerRecord::partition).thenComparing(ConsumerRecord::offset))
                .forEach(r -> versions.computeIfAbsent(r.key(), k -> new ArrayList<>())
                        .add(Long.parseLong(header(r, "ce_streamversion"))));
        assertThat(versions).hasSize(writers * streamsPerWriter);
        List<Long> expected = java.util.stream.LongStream.rangeClosed(1, eventsPerStream).boxed().toList();
        versions.forEach((stream, seen) -> assertThat(seen).as(stream).isEqualTo(expected));
    }

    @Test
    void transactionThatBeginsFirstAndCommitsLastArrives() throws Exception {
        startBridge(Map.of());
        try (Connection first = support.database.connect()) {
            first.setAutoCommit(false);
            // Takes its event id first...
            support.store.append(first, "game-early", ExpectedVersion.NO_STREAM, List.of(EventData.of("GameStarted", "{}")));
            // ...while a later transaction commits before it.
            support.store.append("game-late", ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"));
            TestKafka.readUntil(support.topics(), r -> r.stream().anyMatch(x -> x.key().equals("game-late")), TIMEOUT);
            first.commit();
        }
        List<ConsumerRecord<String, byte[]>> records = TestKafka.readUntil(support.topics(), r -> r.size() >= 2, TIMEOUT);
        assertThat(records).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("game-early", "game-late");
        long earlyId = Long.parseLong(header(records.stream().filter(r -> r.key().equals("game-early")).findFirst().orElseThrow(), "ce_id"));
        long lateId = Long.parseLong(header(records.stream().filter(r -> r.key().equals("game-late")).findFirst().orElseThrow(), "ce_id"));
        assertThat(earlyId).as("event ids are taken at insert, not commit").isLessThan(lateId);
    }

    @Test
    void gracefulRestartLosesAndRepeatsNothing() throws Exception {
        EventBridge first = startBridge(Map.of());
        appendRound("game-restart", 1, 30);
        TestKafka.readUntil(support.topics(), r -> r.size() >= 30, TIMEOUT);
        first.close();

        appendRound("game-restart", 31, 20); // while the bridge is down
        startBridge(Map.of());
        appendRound("game-restart", 51, 10);

        List<ConsumerRecord<String, byte[]>> records = TestKafka.readToEnd(support.topics(), 60, TIMEOUT);
        bridges.forEach(EventBridge::close);
        records = TestKafka.readToEnd(support.topics(), 60, TIMEOUT);
        List<Long> versions = records.stream().map(r -> Long.parseLong(header(r, "ce_streamversion"))).toList();
        assertThat(versions).isEqualTo(java.util.stream.LongStream.rangeClosed(1, 60).boxed().toList());
    }

    private void appendRound(String stream, long firstVersion, int count) {
        for (long v = firstVersion; v < firstVersion + count; v++) {
            support.store.append(stream, ExpectedVersion.exactly(v - 1), EventData.of("Tick", "{\"v\":" + v + "}"));
        }
    }

    @Test
    void healthAndMetricsAreServed() throws Exception {
        EventBridge bridge = startBridge(Map.of());
        support.store.append("game-1", ExpectedVersion.ANY, EventData.of("GameStarted", "{}"));
        TestKafka.readUntil(support.topics(), r -> r.size() >= 1, TIMEOUT);
        org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> bridge.health().up());

        var http = java.net.http.HttpClient.newHttpClient();
        var health = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + bridge.httpPort() + "/health")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"", "\"slot\":{\"status\":\"UP\"",
                "\"published\":{\"status\":\"UP\",\"detail\":\"1 events");
        var live = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + bridge.httpPort() + "/health/live")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).isEqualTo(200);
        var metrics = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + bridge.httpPort() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("eventstore_bridge_events_published_total 1.0",
                "eventstore_bridge_commit_to_ack_seconds", "eventstore_bridge_slot_lag_bytes",
                "eventstore_ready{component=\"bridge\"} 1.0", "kafka_producer_record_send_total",
                "hikaricp_connections_max{pool=\"eventstore-bridge\"}", "jvm_threads_live_threads");
        Map<String, Long> unused = records(List.of()).stream().collect(Collectors.groupingBy(x -> x, Collectors.counting()));
        assertThat(unused).isEmpty();
    }

    private static List<String> records(List<String> in) {
        return in;
    }
}
