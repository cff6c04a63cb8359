package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.RecordedEvent;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.BridgeTestAccess;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.bridge.EventRecordEncoder;
import dev.eventstore.testing.TestDatabase;
import dev.eventstore.testing.TestKafka;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The command line as operators of Kafka tools use it, against the real PostgreSQL and Kafka:
 * {@code --json} on verify, info, replay and cleanup; verify's exit codes (0 whole, 1 found a
 * problem, 3 could not check); {@code replay --to-offset} and its refusals.
 */
class OperatorCommandLineIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String SCHEMA = "bridge_it";

    private final BridgeTestAccess support = new BridgeTestAccess();
    private final Cli cli = new Cli();
    private final ObjectMapper json = new ObjectMapper();
    private EventBridge bridge;

    OperatorCommandLineIT() {
        support.environment().forEach(cli::with);
    }

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
        support.dropSlot();
    }

    private BridgeConfig config() {
        return BridgeConfig.load(new Properties(), support.environment());
    }

    private void startBridge() throws Exception {
        bridge = EventBridge.start(config(), false);
        bridge.ready().get(60, TimeUnit.SECONDS);
    }

    private void append(String stream, int count) {
        for (int i = 0; i < count; i++) {
            support.store().append(stream, ExpectedVersion.ANY, EventData.of("Tick", "{\"i\":" + i + "}"));
        }
    }

    private static void sql(String statement) throws Exception {
        try (Connection c = TestDatabase.get().connect(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private static long count(String query) throws Exception {
        try (Connection c = TestDatabase.get().connect(); Statement s = c.createStatement(); ResultSet rows = s.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /**
     * One line on stderr starting with {@code line} (for a command line picocli refuses, followed by
     * its "Try 'eventstore ... --help'" line), the exit code, and no stack trace.
     */
    private static void refused(Cli.Result result, int exitCode, String line) {
        assertThat(result.exitCode()).as(result.all()).isEqualTo(exitCode);
        List<String> lines = result.err().lines().filter(l -> !l.startsWith("Try 'eventstore ")).toList();
        assertThat(lines).as(result.all()).hasSize(1);
        assertThat(result.err()).as(result.all()).startsWith("eventstore: " + line);
        assertThat(result.all()).doesNotContain("Exception").doesNotContainPattern("(?m)^\\s*at ");
    }

    // ------------------------------------------------------------------- verify

    @Test
    void verifyJsonAndExitCodes() throws Exception {
        startBridge();
        append("game-1", 5);
        TestKafka.readUntil(support.topics(), r -> r.size() >= 5, TIMEOUT);
        Cli.Result whole = cli.run("verify", "--json", "--wait", "PT30S");
        assertThat(whole.exitCode()).as(whole.all()).isEqualTo(ExitCodes.OK);
        JsonNode report = json.readTree(whole.out());
        assertThat(report.path("result").asText()).isEqualTo("ok");
        assertThat(report.path("storedEvents").asLong()).isEqualTo(5);
        assertThat(report.path("records").asLong()).isEqualTo(5);
        assertThat(report.path("missing").asLong()).isZero();
        assertThat(report.path("topics")).hasSize(1);
        bridge.close();
        bridge = null;
        support.dropSlot();

        // Kafka lacks game-gap@2 and has game-order out of order; no bridge runs: found a problem.
        append("game-gap", 2);
        append("game-order", 3);
        List<RecordedEvent> gap = support.store().readStreamForward("game-gap", 1, 10);
        List<RecordedEvent> order = support.store().readStreamForward("game-order", 1, 10);
        EventRecordEncoder encoder = new EventRecordEncoder(config());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", TestKafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(encoder.encode(gap.get(0))).get();
            producer.send(encoder.encode(order.get(0))).get();
            producer.send(encoder.encode(order.get(2))).get();
            producer.send(encoder.encode(order.get(1))).get();
        }
        Cli.Result broken = cli.run("verify", "--json", "--wait", "PT1S");
        refused(broken, ExitCodes.FAILURE, "verify failed: 1 missing, 1 out of order");
        JsonNode failed = json.readTree(broken.out());
        assertThat(failed.path("result").asText()).isEqualTo("failed");
        assertThat(failed.path("missing").asLong()).isEqualTo(1);
        assertThat(failed.path("outOfOrder").asLong()).isEqualTo(1);
        assertThat(failed.path("missingExamples").get(0).asText()).startsWith("game-gap@2");
        assertThat(failed.path("note").asText()).contains("absent events are counted as missing");
        Cli.Result brokenText = cli.run("verify", "--wait", "PT1S");
        refused(brokenText, ExitCodes.FAILURE, "verify failed: 1 missing, 1 out of order");

        // Could not check: no such category; PostgreSQL not answering.
        refused(cli.run("verify", "--json", "--category", "gmae"), ExitCodes.NOT_CHECKED,
                "verify could not check: no stream of category 'gmae' in schema " + SCHEMA);
        Cli.Result noDatabase = cli.run("verify", "--json", "--db-url", "jdbc:postgresql://127.0.0.1:1/eventstore?connectTimeout=5");
        refused(noDatabase, ExitCodes.NOT_CHECKED, "verify could not check: ");
        assertThat(noDatabase.out()).as("no partial JSON").isEmpty();
        // A wrong command line is still 2.
        refused(cli.run("verify", "--frobnicate"), ExitCodes.USAGE, "unknown option --frobnicate");
    }

    /** A logical replication stream on {@code slot}, never confirming anything: a bridge that is behind. */
    private static Connection streamWithoutConfirming(String slot) throws Exception {
        Properties props = new Properties();
        org.postgresql.PGProperty.USER.set(props, TestDatabase.get().settings().user());
        if (TestDatabase.get().settings().password() != null) {
            org.postgresql.PGProperty.PASSWORD.set(props, TestDatabase.get().settings().password());
        }
        org.postgresql.PGProperty.REPLICATION.set(props, "database");
        org.postgresql.PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        org.postgresql.PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        Connection connection = java.sql.DriverManager.getConnection(TestDatabase.get().settings().url(), props);
        try {
            connection.unwrap(org.postgresql.PGConnection.class).getReplicationAPI().replicationStream().logical()
                    .withSlotName(slot).start();
            return connection;
        } catch (Exception e) {
            connection.close();
            throw e;
        }
    }

    @Test
    void verifyIsNotConclusiveWhileTheSlotIsBehind() throws Exception {
        String slot = "verify_behind_" + ProcessHandle.current().pid() + "_" + (System.nanoTime() % 1_000_000);
        sql("SELECT pg_create_logical_replication_slot('" + slot + "', 'test_decoding')");
        try {
            append("game-late", 3); // after the slot's position; nothing publishes them
            try (Connection stream = streamWithoutConfirming(slot)) {
                org.awaitility.Awaitility.await("slot active").atMost(TIMEOUT).until(() -> count(
                        "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "' AND active") == 1);
                Cli.Result result = cli.run("verify", "--json", "--slot", slot, "--wait", "PT2S");
                refused(result, ExitCodes.NOT_CHECKED, "verify is not conclusive: 3 events not yet published");
                JsonNode report = json.readTree(result.out());
                assertThat(report.path("result").asText()).isEqualTo("not-conclusive");
                assertThat(report.path("notYetPublished").asLong()).isEqualTo(3);
                assertThat(report.path("missing").asLong()).isZero();
            }
        } finally {
            org.awaitility.Awaitility.await("slot released").atMost(TIMEOUT).until(() -> count(
                    "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "' AND active") == 0);
            sql("SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    // ------------------------------------------------------------------- info

    @Test
    void infoJsonListsEveryMigration() throws Exception {
        Cli.Result text = cli.run("info", "--schema", SCHEMA);
        assertThat(text.exitCode()).as(text.all()).isZero();
        Cli.Result result = cli.run("info", "--json", "--schema", SCHEMA);
        assertThat(result.exitCode()).as(result.all()).isZero();
        JsonNode info = json.readTree(result.out());
        assertThat(info.path("schema").asText()).isEqualTo(SCHEMA);
        assertThat(info.path("pending").asLong()).isZero();
        assertThat(info.path("applied").asLong()).isPositive().isEqualTo(info.path("migrations").size());
        JsonNode first = null;
        for (JsonNode migration : info.path("migrations")) {
            if (migration.path("version").asText().equals("20240000000000")) {
                first = migration;
            }
        }
        assertThat(first).as(result.out()).isNotNull();
        assertThat(first.path("applied").asBoolean()).isTrue();
        assertThat(first.path("installedOn").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        // The text output lists the same migrations.
        for (JsonNode migration : info.path("migrations")) {
            assertThat(text.out()).contains(migration.path("version").asText());
        }
    }

    // ------------------------------------------------------------------- replay

    private Map<TopicPartition, Long> committed(String group) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .forEach((partition, offset) -> offsets.put(partition, offset.offset()));
            return offsets;
        }
    }

    @Test
    void replayToExplicitOffsets() throws Exception {
        startBridge();
        for (int i = 0; i < 12; i++) {
            append("game-" + i, 2);
        }
        TestKafka.readUntil(support.topics(), r -> r.size() >= 24, TIMEOUT);
        String topic = config().topicPrefix() + ".game";
        String group = "replay-offsets-" + System.nanoTime();
        // The group read everything, then stopped.
        Map<TopicPartition, Long> ends;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", TestKafka.bootstrapServers(),
                "group.id", group, "enable.auto.commit", "false"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            ends = consumer.endOffsets(partitions);
            Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            ends.forEach((p, end) -> commit.put(p, new OffsetAndMetadata(end)));
            consumer.commitSync(commit);
        }
        assertThat(ends).hasSize(3);
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);
        TopicPartition p2 = new TopicPartition(topic, 2);
        assertThat(ends.get(p0)).as("records in partition 0").isGreaterThanOrEqualTo(2);

        Cli.Result planned = cli.run("replay", "--group", group, "--to-offset", topic + ":0=1", "--to-offset", topic + ":1=0",
                "--dry-run", "--json");
        assertThat(planned.exitCode()).as(planned.all()).isZero();
        JsonNode plan = json.readTree(planned.out());
        assertThat(plan.path("applied").asBoolean()).isFalse();
        assertThat(plan.path("target").asText()).isEqualTo("offset");
        assertThat(plan.path("partitions")).hasSize(2);
        assertThat(plan.at("/partitions/0/topic").asText()).isEqualTo(topic);
        assertThat(plan.at("/partitions/0/partition").asInt()).isZero();
        assertThat(plan.at("/partitions/0/currentOffset").asLong()).isEqualTo(ends.get(p0));
        assertThat(plan.at("/partitions/0/newOffset").asLong()).isEqualTo(1);
        assertThat(plan.at("/partitions/1/newOffset").asLong()).isZero();
        assertThat(plan.path("events").asLong()).isEqualTo(ends.get(p0) - 1 + ends.get(p1));
        assertThat(committed(group)).as("a dry run moves nothing").isEqualTo(ends);

        Cli.Result moved = cli.run("replay", "--group", group, "--to-offset", topic + ":0=1", "--to-offset", topic + ":1=0");
        assertThat(moved.exitCode()).as(moved.all()).isZero();
        assertThat(moved.out()).contains("Moved group " + group + " on 2 partitions");
        assertThat(committed(group)).containsEntry(p0, 1L).containsEntry(p1, 0L).containsEntry(p2, ends.get(p2));
        assertThat(count("SELECT count(*) FROM " + SCHEMA + ".audit_log WHERE command = 'replay' AND details->>'group' = '"
                + group + "' AND details->>'target' = 'offset'")).isEqualTo(1);

        // Bad input: one line, exit 2, nothing moved.
        refused(cli.run("replay", "--group", group, "--to-offset", "events-0-5"), ExitCodes.USAGE,
                "Invalid value for option '--to-offset'");
        refused(cli.run("replay", "--group", group, "--to-offset", topic + ":0=-1"), ExitCodes.USAGE,
                "Invalid value for option '--to-offset'");
        refused(cli.run("replay", "--group", group, "--to-offset", topic + ":0=1", "--to-offset", topic + ":0=2"),
                ExitCodes.USAGE, "invalid --to-offset: partition " + topic + ":0 is given twice");
        refused(cli.run("replay", "--group", group, "--to-offset", topic + ":7=0"), ExitCodes.USAGE,
                "invalid --to-offset " + topic + ":7: topic " + topic + " has no partition 7 (it has 3, numbered from 0)");
        refused(cli.run("replay", "--group", group, "--to-offset", "other.topic:0=0"), ExitCodes.USAGE,
                "invalid --to-offset other.topic:0: other.topic is not an event topic");
        refused(cli.run("replay", "--group", group, "--to-offset", topic + ":0=" + (ends.get(p0) + 1)), ExitCodes.USAGE,
                "invalid --to-offset " + topic + ":0=" + (ends.get(p0) + 1) + ": outside the partition's records, offsets 0 to "
                        + ends.get(p0));
        refused(cli.run("replay", "--group", group, "--to-offset", topic + ":0=0", "--to-earliest"), ExitCodes.USAGE, "");
        assertThat(committed(group)).containsEntry(p0, 1L).containsEntry(p1, 0L).containsEntry(p2, ends.get(p2));

        // --json without --dry-run: moved, and says so.
        Cli.Result movedJson = cli.run("replay", "--group", group, "--to-offset", topic + ":2=0", "--json");
        assertThat(movedJson.exitCode()).as(movedJson.all()).isZero();
        JsonNode applied = json.readTree(movedJson.out());
        assertThat(applied.path("applied").asBoolean()).isTrue();
        assertThat(applied.path("events").asLong()).isEqualTo(ends.get(p2));
        assertThat(committed(group)).containsEntry(p0, 1L).containsEntry(p1, 0L).containsEntry(p2, 0L);
    }

    // ------------------------------------------------------------------- cleanup

    @Test
    void cleanupDryRunJsonListsWhatWouldGo() throws Exception {
        append("game-1", 2);
        long first = support.store().readStreamForward("game-1", 1, 1).get(0).eventId();
        String idle = "idle-group-" + System.nanoTime();
        support.store().subscriptions().recordPosition(idle, "game-1", first, 1, null);
        sql("UPDATE " + SCHEMA + ".subscriptions SET updated_at = updated_at - interval '40 days' WHERE subscription_id = '"
                + idle + "'");

        Cli.Result result = cli.run("cleanup", "--dry-run", "--json");
        assertThat(result.exitCode()).as(result.all()).isZero();
        JsonNode cleanup = json.readTree(result.out());
        assertThat(cleanup.path("dryRun").asBoolean()).isTrue();
        assertThat(cleanup.path("schema").asText()).isEqualTo(SCHEMA);
        assertThat(cleanup.path("auditId").isNull()).isTrue();
        assertThat(cleanup.at("/plan/subscriptions/0/subscriptionId").asText()).isEqualTo(idle);
        assertThat(cleanup.at("/plan/subscriptions/0/rows").asLong()).isEqualTo(1);
        assertThat(java.time.Instant.parse(cleanup.at("/plan/subscriptions/0/lastUpdatedAt").asText()))
                .as("UTC, with its Z").isBefore(java.time.Instant.now().minus(Duration.ofDays(39)));
        assertThat(cleanup.path("removals").get(0).asText()).startsWith("subscription " + idle + ": 1 row");
        assertThat(cleanup.path("summary").asText()).startsWith("1 subscription row of 1 group");
        assertThat(cleanup.at("/plan/heartbeat/rows").isNumber()).isTrue();
        assertThat(count("SELECT count(*) FROM " + SCHEMA + ".subscriptions WHERE subscription_id = '" + idle + "'"))
                .as("a dry run removes nothing").isEqualTo(1);
    }
}
