package dev.eventstore.connect;

import static dev.eventstore.connect.ConnectDeployment.TIMEOUT;
import static dev.eventstore.testing.EventRecordContract.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventstore.EventData;
import dev.eventstore.EventMetadata;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.RecordedEvent;
import dev.eventstore.embedded.EmbeddedConnectWorker;
import dev.eventstore.testing.EventRecordContract;
import dev.eventstore.testing.TestKafka;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Debezium's PostgresConnector with the event record transform on a real distributed Kafka Connect
 * worker, deployed as an operator deploys it (see {@link ConnectDeployment}): the record contract of
 * the bridge holds, unchanged, for every record. The worker is the example worker.properties with
 * exactly-once source support disabled: the at-least-once configuration must run on any cluster.
 */
class EventSourceConnectorIT {

    private static EmbeddedConnectWorker worker;

    private final String id = ConnectDeployment.uniqueId();
    private final String name = "eventstore-source-" + id;
    private final String slot = "connect_it_" + id;
    private final String topicPrefix = "it." + id;
    private final ConnectDeployment.Database db = ConnectDeployment.database();
    private boolean created;

    @BeforeAll
    static void startWorker() {
        worker = ConnectDeployment.startWorker("connect-it-" + ConnectDeployment.uniqueId(),
                Map.of("exactly.once.source.support", "disabled"));
    }

    @AfterAll
    static void stopWorker() {
        if (worker != null) {
            worker.close();
        }
    }

    @BeforeEach
    void resetStore() {
        db.schema().reset();
    }

    @AfterEach
    void deleteConnector() {
        if (created) {
            ConnectDeployment.deleteConnector(worker, name, slot);
        }
    }

    private void create(Map<String, String> config) {
        created = true;
        ConnectDeployment.createConnector(worker, config);
    }

    private Map<String, String> config() {
        return ConnectDeployment.connectorConfig(ConnectDeployment.SOURCE_JSON, name, slot, topicPrefix);
    }

    private String topics() {
        return Pattern.quote(topicPrefix) + "\\..*";
    }

    @Test
    void workerFindsTheTransformAndDebeziumOnlyInThePluginArchivesOnItsPluginPath() throws IOException {
        // Neither is on this JVM's class path (failsafe's classesDirectory, no Debezium dependency):
        // the worker can only have loaded them from plugin.path, each in its own plugin class loader.
        assertThatThrownBy(() -> Class.forName("dev.eventstore.connect.EventRecordTransform"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("io.debezium.connector.postgresql.PostgresConnector"))
                .isInstanceOf(ClassNotFoundException.class);

        Properties build = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/eventstore-build.properties")) {
            build.load(in);
        }
        JsonNode plugins = ConnectDeployment.json(ConnectDeployment.send(worker, "GET",
                "/connector-plugins?connectorsOnly=false", null));
        Map<String, String> versions = new HashMap<>();
        plugins.forEach(p -> versions.put(p.path("class").asText(), p.path("version").asText()));
        assertThat(versions)
                .containsEntry("io.debezium.connector.postgresql.PostgresConnector", build.getProperty("debezium.version"))
                // Implementation-Version of the plugin jar's manifest: loaded from the archive's jar.
                .containsEntry("dev.eventstore.connect.EventRecordTransform", build.getProperty("project.version"))
                .containsKeys("org.apache.kafka.connect.transforms.Filter",
                        "org.apache.kafka.connect.transforms.predicates.TopicNameMatches");
        assertThat(worker.workerProperties()).containsEntry("plugin.discovery", "service_load");
    }

    @Test
    void validationReportsNoErrorForTheConfigurationAndNamesABadTransformSetting() {
        Map<String, String> config = config();
        JsonNode valid = ConnectDeployment.validate(worker, config);
        assertThat(valid.path("error_count").asInt()).as(ConnectDeployment.validationErrors(valid).toString()).isZero();
        // The env provider resolved the credentials for validation; the answer shows the reference, not the secret.
        assertThat(valid.toString()).doesNotContain(System.getenv("EVENTSTORE_DB_PASSWORD"));

        config.put("transforms.event.topic.mode", "per-stream");
        JsonNode invalid = ConnectDeployment.validate(worker, config);
        assertThat(invalid.path("error_count").asInt()).isPositive();
        assertThat(ConnectDeployment.validationErrors(invalid)).containsKey("transforms.event.topic.mode");
    }

    @Test
    void snapshotAndStreamedEventsArriveWithTheRecordContract() throws Exception {
        // Stored before the connector first starts: published by the snapshot (snapshot.mode=initial).
        db.store().append("game-42", ExpectedVersion.NO_STREAM,
                event("GameStarted", "{\"mode\":\"race\",\"players\":[\"a\",\"b\"]}"),
                event("PlayerJoined", "{\"player\":\"a\"}"));
        db.store().append("player-7", ExpectedVersion.NO_STREAM, event("PlayerRegistered", "{\"name\":\"Zoë\"}"));
        create(config());

        // Streamed from the WAL.
        db.store().append("game-42", ExpectedVersion.exactly(2),
                event("RoundStarted", "{\"round\": 1, \"word\": \"ünïcødé ✓\"}"));
        db.store().append("player-7", ExpectedVersion.exactly(1), EventData.of("PlayerRenamed", "{\"name\":\"Zoe\"}"));
        db.store().append("lobby", ExpectedVersion.NO_STREAM, EventData.of("LobbyOpened", "{}"));
        // A change of the heartbeat table (as the connector's heartbeat.action.query makes) is not an event.
        try (Connection connection = db.superuser().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO eventstore.cdc_heartbeat (id, beat_at) VALUES (1, now() AT TIME ZONE 'UTC')"
                    + " ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at");
        }
        db.store().append("game-42", ExpectedVersion.exactly(3), EventData.of("RoundEnded", "{\"round\": 1}"));

        int total = 7;
        List<ConsumerRecord<String, byte[]>> records = TestKafka.readToEnd(topics(), total, TIMEOUT);
        assertThat(records).hasSize(total);
        Map<String, List<RecordedEvent>> stored = new HashMap<>();
        for (String stream : List.of("game-42", "player-7", "lobby")) {
            stored.put(stream, db.store().readStreamForward(stream, 1, 100));
        }
        for (ConsumerRecord<String, byte[]> record : records) {
            long version = Long.parseLong(header(record, "ce_streamversion"));
            RecordedEvent event = stored.get(record.key()).get((int) version - 1);
            EventRecordContract.assertRecord(record, event, topicPrefix, "/eventstore");
        }
        assertThat(versionsByStream(records)).containsOnly(
                Map.entry("game-42", List.of(1L, 2L, 3L, 4L)),
                Map.entry("player-7", List.of(1L, 2L)),
                Map.entry("lobby", List.of(1L)));

        // Topics created by the connector as its topic.creation.default.* settings say, and nothing
        // else written: no Debezium change-record or heartbeat topic (the Filter drops them).
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            Set<String> names = admin.listTopics().names().get();
            assertThat(names).filteredOn(n -> n.startsWith("eventstore_cdc") || n.startsWith("__debezium-heartbeat"))
                    .isEmpty();
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, topicPrefix + ".game");
            Config config = admin.describeConfigs(List.of(topic)).all().get().get(topic);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("delete");
            assertThat(config.get("retention.ms").value()).isEqualTo("-1");
            assertThat(admin.describeTopics(List.of(topicPrefix + ".game")).allTopicNames().get()
                    .get(topicPrefix + ".game").partitions()).hasSize(6);
        }
    }

    @Test
    void manyStreamsKeepTheirOrder() throws Exception {
        create(config());
        int streams = 12;
        int versions = 15;
        for (int v = 1; v <= versions; v++) {
            for (int s = 0; s < streams; s++) {
                db.store().append((s % 2 == 0 ? "game-" : "player-") + s, ExpectedVersion.exactly(v - 1L),
                        EventData.of("Tick", "{\"v\":" + v + "}"));
            }
        }
        List<ConsumerRecord<String, byte[]>> records = TestKafka.readToEnd(topics(), streams * versions, TIMEOUT);
        assertThat(records).hasSize(streams * versions);
        List<Long> expected = java.util.stream.LongStream.rangeClosed(1, versions).boxed().toList();
        Map<String, List<Long>> byStream = versionsByStream(records);
        assertThat(byStream).hasSize(streams);
        byStream.forEach((stream, seen) -> assertThat(seen).as(stream).isEqualTo(expected));
    }

    /** Stream versions of each stream in the order Kafka holds them (a stream lives in one partition). */
    static Map<String, List<Long>> versionsByStream(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream()
                .sorted(Comparator.comparing((ConsumerRecord<String, byte[]> r) -> r.topic())
                        .thenComparing(ConsumerRecord::partition).thenComparing(ConsumerRecord::offset))
                .collect(Collectors.groupingBy(ConsumerRecord::key, java.util.LinkedHashMap::new,
                        Collectors.mapping(r -> Long.parseLong(header(r, "ce_streamversion")),
                                Collectors.toCollection(ArrayList::new))));
    }

    private static EventData event(String type, String data) {
        return EventData.of(type, data, EventMetadata.builder().correlationId("corr-1").causationId("cause-1")
                .actor("player:7").put("region", "eu").build());
    }
}
