package dev.eventstore.connect;

import static dev.eventstore.connect.ConnectDeployment.TIMEOUT;
import static dev.eventstore.testing.EventRecordContract.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventstore.EventData;
import dev.eventstore.EventMetadata;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.RecordedEvent;
import dev.eventstore.embedded.EmbeddedConnectWorker;
import dev.eventstore.testing.EventRecordContract;
import dev.eventstore.testing.TestKafka;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
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
import org.junit.jupiter.api.Assumptions;
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
        // Every key of the file is one the connector, Connect, the transform or the predicate defines: no typo
        // passes silently (an unknown key is no validation error). Not listed by validation: the per-table
        // snapshot query, named after its table, and the topic settings of topic-creation groups (topic
        // configurations, checked on the created topics by the other tests).
        java.util.Set<String> defined = new java.util.HashSet<>();
        valid.path("configs").forEach(c -> defined.add(c.path("definition").path("name").asText()));
        assertThat(defined).contains("topic.creation.groups", "statistics.metrics.enabled", "transforms.event.topic.prefix",
                "predicates.onDebeziumTableTopic.pattern", "snapshot.select.statement.overrides");
        assertThat(config.keySet()).filteredOn(key -> !defined.contains(key) && !key.startsWith("topic.creation."))
                .containsExactly("snapshot.select.statement.overrides.eventstore.events");

        config.put("transforms.event.topic.mode", "per-stream");
        JsonNode invalid = ConnectDeployment.validate(worker, config);
        assertThat(invalid.path("error_count").asInt()).isPositive();
        assertThat(ConnectDeployment.validationErrors(invalid)).containsKey("transforms.event.topic.mode");
    }

    @Test
    void createConnectorScriptRefusesAnInvalidConfigurationThenCreatesTheConnector() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")) || Files.isExecutable(Path.of("/bin/curl")),
                "config/connect/create-connector.sh needs curl");
        Path script = ConnectDeployment.repositoryRoot().resolve("config/connect/create-connector.sh");
        Path file = Files.createTempFile("connector-", ".json");
        try {
            Map<String, String> config = config();
            config.put("transforms.event.topic.mode", "per-stream");
            Files.writeString(file, new ObjectMapper().writeValueAsString(config));
            ProcessResult invalid = run(script, file);
            assertThat(invalid.exitCode()).as(invalid.output()).isEqualTo(1);
            assertThat(invalid.output()).contains("is not valid", "transforms.event.topic.mode");
            assertThat(ConnectDeployment.send(worker, "GET", "/connectors/" + name, null).statusCode()).isEqualTo(404);

            Files.writeString(file, new ObjectMapper().writeValueAsString(config()));
            created = true;
            ProcessResult valid = run(script, file);
            assertThat(valid.exitCode()).as(valid.output()).isZero();
            assertThat(valid.output()).contains("connector " + name + " is RUNNING");
            ConnectDeployment.awaitRunning(worker, name);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private record ProcessResult(int exitCode, String output) {
    }

    private ProcessResult run(Path script, Path file) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sh", script.toString(), file.toString()).redirectErrorStream(true);
        builder.environment().put("CONNECT_URL", worker.restUrl().toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return new ProcessResult(process.exitValue(), output);
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

        // Topics created by the connector as its topic.creation.default.* settings say, and no topic of
        // Debezium's change records of other tables (dropOtherTables drops them).
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            Set<String> names = admin.listTopics().names().get();
            assertThat(names).filteredOn(n -> n.startsWith("eventstore_cdc")).isEmpty();
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, topicPrefix + ".game");
            Config config = admin.describeConfigs(List.of(topic)).all().get().get(topic);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("delete");
            assertThat(config.get("retention.ms").value()).isEqualTo("-1");
            assertThat(admin.describeTopics(List.of(topicPrefix + ".game")).allTopicNames().get()
                    .get(topicPrefix + ".game").partitions()).hasSize(6);
        }
    }

    @Test
    void heartbeatMovesTheSlotOnWhileNoEventIsAppended() throws Exception {
        create(config());
        java.sql.Timestamp createdAt;
        String walBefore;
        try (Connection connection = db.superuser().getConnection(); Statement statement = connection.createStatement();
             java.sql.ResultSet rs = statement.executeQuery("SELECT now() AT TIME ZONE 'UTC', pg_current_wal_lsn()::text")) {
            rs.next();
            createdAt = rs.getTimestamp(1);
            walBefore = rs.getString(2);
        }
        // No event is appended. Every heartbeat.interval.ms Debezium runs heartbeat.action.query as the
        // connector's role (the change of the heartbeat row is dropped by dropOtherTables) and sends a
        // heartbeat record carrying its position. Connect commits the offset of that written record (not
        // of a dropped one: this test failed when the heartbeat records were filtered out too), and
        // Debezium then confirms the position to the slot.
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            try (Connection connection = db.superuser().getConnection();
                 java.sql.PreparedStatement query = connection.prepareStatement(
                         "SELECT (SELECT beat_at FROM eventstore.cdc_heartbeat WHERE id = 1),"
                                 + " confirmed_flush_lsn >= ?::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
                query.setString(1, walBefore);
                query.setString(2, slot);
                try (java.sql.ResultSet rs = query.executeQuery()) {
                    assertThat(rs.next()).as("slot " + slot).isTrue();
                    assertThat(rs.getTimestamp(1)).as("heartbeat written by the connector").isAfter(createdAt);
                    assertThat(rs.getBoolean(2)).as("slot confirmed past " + walBefore).isTrue();
                }
            }
        });
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "__debezium-heartbeat.eventstore_cdc");
            assertThat(admin.describeConfigs(List.of(topic)).all().get().get(topic).get("cleanup.policy").value())
                    .as("the heartbeat topic's creation group").isEqualTo("compact");
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
