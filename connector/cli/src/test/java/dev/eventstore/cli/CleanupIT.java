package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventData;
import dev.eventstore.EventStore;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.BridgeTestAccess;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.TestDatabase;
import dev.eventstore.testing.TestKafka;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code eventstore cleanup} on a known data set (schema cleanup_it), against the real Kafka:
 * <pre>
 *   streams        game-keep (3 events), game-gone (4 events, soft-deleted 100 days ago),
 *                  game-recent (2 events, soft-deleted now)
 *   subscriptions  gone-G   rows on game-keep and game-gone, idle 40 days, unknown to Kafka
 *                  known-G  row on game-keep, idle 40 days, Kafka has its committed offsets
 *                  fresh-G  row on game-gone, just written
 *   mirror         gone-G (2 positions, idle), orphan-G (no rows, idle, unknown), known-G (idle)
 *   cdc_offsets    old-bridge (idle 40 days, its slot gone), slot-bridge (idle, its slot exists),
 *                  legacy-bridge (idle, no checkpoint)
 * </pre>
 */
class CleanupIT {

    private static final String SCHEMA = "cleanup_it";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final TestDatabase database = TestDatabase.get();

    private final BridgeTestAccess support = new BridgeTestAccess();
    private final Cli cli = new Cli();
    private final String id = "c" + System.nanoTime();
    private final String gone = "gone-" + id;
    private final String known = "known-" + id;
    private final String fresh = "fresh-" + id;
    private final String orphan = "orphan-" + id;
    private final String keptSlot = "cleanup_it_kept_" + id;
    private final EventStore store = EventStore.builder(database.dataSource()).schema(SchemaName.of(SCHEMA)).build();
    private EventBridge bridge;

    @BeforeAll
    static void migrate() {
        database.dropSchema(SCHEMA);
        new SchemaManager(database.dataSource(), SchemaName.of(SCHEMA), MigrationSource.builtIn()).migrate();
    }

    CleanupIT() {
        support.environment().forEach(cli::with);
        cli.with("EVENTSTORE_SCHEMA", SCHEMA);
    }

    @BeforeEach
    void dataSet() throws Exception {
        new SchemaManager(database.dataSource(), SchemaName.of(SCHEMA), MigrationSource.builtIn()).reset();
        database.execute("DELETE FROM " + SCHEMA + ".cdc_offsets", "DELETE FROM " + SCHEMA + ".cdc_checkpoints",
                "DELETE FROM " + SCHEMA + ".audit_log", "DELETE FROM " + SCHEMA + ".cdc_heartbeat",
                "INSERT INTO " + SCHEMA + ".cdc_heartbeat VALUES (1, now() AT TIME ZONE 'UTC')");
        append("game-keep", 3);
        append("game-gone", 4);
        append("game-recent", 2);
        store.subscriptions().recordPosition(gone, "game-keep", eventId("game-keep", 2), 2, null);
        store.subscriptions().recordPosition(gone, "game-gone", eventId("game-gone", 4), 4, null);
        store.subscriptions().recordPosition(known, "game-keep", eventId("game-keep", 3), 3, null);
        store.subscriptions().recordPosition(fresh, "game-gone", eventId("game-gone", 1), 1, null);
        store.deleteStream("game-gone", ExpectedVersion.ANY);
        store.deleteStream("game-recent", ExpectedVersion.ANY);
        sql("UPDATE " + SCHEMA + ".event_streams SET deleted_at = deleted_at - interval '100 days' WHERE stream_id = 'game-gone'");
        sql("UPDATE " + SCHEMA + ".subscriptions SET updated_at = updated_at - interval '40 days'"
                + " WHERE subscription_id IN ('" + gone + "', '" + known + "')");
        sql("INSERT INTO " + SCHEMA + ".mirror_positions (subscription_id, topic, kafka_partition, next_offset, updated_at) VALUES"
                + " ('" + gone + "', 'eventstore.game', 0, 5, now() - interval '40 days'),"
                + " ('" + gone + "', 'eventstore.game', 1, 2, now() - interval '40 days'),"
                + " ('" + orphan + "', 'eventstore.game', 2, 9, now() - interval '40 days'),"
                + " ('" + known + "', 'eventstore.game', 0, 4, now() - interval '40 days')");
        // The known group: Kafka keeps its committed offsets (an empty group that would resume).
        String topic = "it." + id + ".game";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            admin.createTopics(Set.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            // The group coordinator may not know a topic created a moment ago: tried again up to 30 s.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    admin.alterConsumerGroupOffsets(known, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(0)))
                            .all().get(30, TimeUnit.SECONDS);
                    break;
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                            || System.nanoTime() - deadline >= 0) {
                        throw e;
                    }
                    Thread.sleep(100); // until the coordinator's metadata has the topic, bounded by the deadline
                }
            }
        }
        // Offsets of three bridges gone quiet 40 days ago.
        sql("INSERT INTO " + SCHEMA + ".cdc_offsets (offset_key, offset_value, updated_at) VALUES"
                + " ('[\"old-bridge-" + id + "\",{\"server\":\"eventstore_cdc\"}]', '{\"lsn\":1}', now() - interval '40 days'),"
                + " ('[\"slot-bridge-" + id + "\",{\"server\":\"eventstore_cdc\"}]', '{\"lsn\":1}', now() - interval '40 days'),"
                + " ('[\"legacy-bridge-" + id + "\",{\"server\":\"eventstore_cdc\"}]', '{\"lsn\":1}', now() - interval '40 days')");
        sql("SELECT pg_create_logical_replication_slot('" + keptSlot + "', 'pgoutput')");
        sql("INSERT INTO " + SCHEMA + ".cdc_checkpoints (bridge_name, system_identifier, database_name, slot_name,"
                + " published_below_event_id) VALUES"
                + " ('old-bridge-" + id + "', 1, current_database(), 'cleanup_it_slot_long_gone', 1),"
                + " ('slot-bridge-" + id + "', 1, current_database(), '" + keptSlot + "', 1)");
    }

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
            support.dropSlot();
        }
        sql("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + keptSlot + "'");
    }

    private void append(String stream, int count) {
        for (int i = 0; i < count; i++) {
            store.append(stream, ExpectedVersion.ANY, EventData.of("Tick", "{\"i\":" + i + "}"));
        }
    }

    private long eventId(String stream, long version) {
        return store.readStreamForward(stream, version, 1).get(0).eventId();
    }

    private static void sql(String statement) {
        database.execute(statement);
    }

    private static long count(String query) throws Exception {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The indented item lines under the "Would remove:" or "Removed:" header. */
    private static List<String> items(String output, String header) {
        List<String> items = new ArrayList<>();
        boolean inside = false;
        for (String line : output.lines().toList()) {
            if (line.equals(header)) {
                inside = true;
            } else if (inside && line.startsWith("  ")) {
                items.add(line.trim());
            } else {
                inside = false;
            }
        }
        return items;
    }

    private Map<String, Long> eventsPerStream() throws Exception {
        Map<String, Long> counts = new HashMap<>();
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT stream_id, count(*) FROM " + SCHEMA + ".events GROUP BY 1")) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getLong(2));
            }
        }
        return counts;
    }

    @Test
    void dryRunListsExactlyWhatTheRealRunRemovesAndNoEventIsTouchedWithoutTheFlag() throws Exception {
        Map<String, Long> eventsBefore = eventsPerStream();
        assertThat(eventsBefore).containsEntry("game-gone", 4L).hasSize(3);

        Cli.Result dry = cli.run("cleanup", "--dry-run");
        assertThat(dry.exitCode()).as(dry.all()).isZero();
        List<String> planned = items(dry.out(), "Would remove:");
        assertThat(planned).hasSize(5);
        assertThat(planned.get(0)).startsWith("subscription " + gone + ": 2 rows (last position recorded ")
                .endsWith(", unknown to Kafka)");
        assertThat(planned.subList(1, 4)).containsExactly("mirror position " + gone + " eventstore.game/0",
                "mirror position " + gone + " eventstore.game/1", "mirror position " + orphan + " eventstore.game/2");
        assertThat(planned.get(4)).startsWith("offsets of bridge old-bridge-" + id + ": 1 row and its checkpoint (slot"
                + " cleanup_it_slot_long_gone does not exist, last flush ");
        assertThat(dry.out()).contains("Kept:",
                "subscription " + known + ": idle since", "but Kafka still knows the group (Kafka: empty, 0 members, committed offsets)",
                "offsets of bridge slot-bridge-" + id + ": last flush", "but its slot " + keptSlot + " still exists",
                "offsets of bridge legacy-bridge-" + id + ": last flush", "no checkpoint names its slot",
                "Heartbeat: nothing to clean (cdc_heartbeat holds 1 row, upserted in place; last beat ",
                "Hard delete: not requested (--hard-delete-streams-older-than AGE --force); 2 soft-deleted streams keep their events.",
                "Would remove 2 subscription rows of 1 group, 3 mirror positions, 1 offset row of 1 bridge.");
        assertThat(dry.out()).doesNotContain(fresh);
        assertThat(count("SELECT count(*) FROM " + SCHEMA + ".subscriptions WHERE subscription_id = '" + gone + "'")).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM " + SCHEMA + ".audit_log")).isZero();

        Cli.Result real = cli.run("cleanup");
        assertThat(real.exitCode()).as(real.all()).isZero();
        assertThat(items(real.out(), "Removed:")).isEqualTo(planned);
        assertThat(real.out()).contains("Removed 2 subscription rows of 1 group, 3 mirror positions, 1 offset row of 1 bridge.",
                "Audit: row ");

        // Exactly that went, and nothing else.
        assertThat(count("SELECT count(*) FROM " + SCHEMA + ".subscriptions WHERE subscription_id = '" + gone + "'")).isZero();
        assertThat(count("SELECT count(*) FROM " + SCHEMA + ".subscriptions WHERE subscription_id IN ('" + known + "', '"
                + fresh + "')")).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM " + SCHEMA + ".mirror_positions")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM " + SCHEMA + ".cdc_offsets")).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM " + SCHEMA + ".cdc_checkpoints WHERE bridge_name = 'old-bridge-" + id + "'")).isZero();
        assertThat(count("SELECT count(*) FROM " + SCHEMA + ".cdc_heartbeat")).isEqualTo(1);
        assertThat(eventsPerStream()).isEqualTo(eventsBefore);
        assertThat(count("SELECT count(*) FROM " + SCHEMA + ".event_streams WHERE deleted_at IS NOT NULL")).isEqualTo(2);

        // The audit row: who, what, with which arguments.
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT db_user, os_user, command, arguments, details::text FROM "
                     + SCHEMA + ".audit_log")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("db_user")).isEqualTo(database.settings().user());
            assertThat(rs.getString("os_user")).isEqualTo(System.getProperty("user.name"));
            assertThat(rs.getString("command")).isEqualTo("cleanup");
            assertThat((String[]) rs.getArray("arguments").getArray()).isEmpty();
            assertThat(rs.getString("details")).contains("\"subscription_rows\": 2", "\"subscriptions\": [\"" + gone + "\"]",
                    "\"mirror_positions\": 3", "\"offset_rows\": 1", "\"bridges\": [\"old-bridge-" + id + "\"]");
            assertThat(rs.next()).isFalse();
        }

        Cli.Result again = cli.run("cleanup", "--dry-run");
        assertThat(again.out()).contains("Nothing would be removed.");
        Cli.Result nothing = cli.run("cleanup");
        assertThat(nothing.out()).contains("Nothing removed.").doesNotContain("Audit:");
        assertThat(count("SELECT count(*) FROM " + SCHEMA + ".audit_log")).isEqualTo(1);
    }

    @Test
    void hardDeleteNeedsForceThenRemovesEventsSubscriptionsAndStreamWithAnAuditRow() throws Exception {
        Map<String, Long> eventsBefore = eventsPerStream();
        Cli.Result refused = cli.run("cleanup", "--hard-delete-streams-older-than", "90d");
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(ExitCodes.FAILURE);
        assertThat(refused.err()).isEqualTo("eventstore: refusing to hard-delete 1 stream soft-deleted more than 90d ago"
                + " (4 events) without --force; nothing was removed (--dry-run lists them)\n");
        assertThat(eventsPerStream()).isEqualTo(eventsBefore);
        assertThat(count("SELECT count(*) FROM " + SCHEMA + ".subscriptions")).isEqualTo(4);

        Cli.Result dry = cli.run("cleanup", "--hard-delete-streams-older-than", "90d", "--dry-run");
        assertThat(dry.exitCode()).as(dry.all()).isZero();
        List<String> planned = items(dry.out(), "Would remove:");
        // The idle group's row on game-gone is counted with its group, the other with the stream.
        assertThat(planned.get(0)).startsWith("subscription " + gone + ": 2 rows");
        assertThat(planned.get(planned.size() - 1)).startsWith("stream game-gone: 4 events, 1 subscription row and the"
                + " stream row (soft-deleted ");
        assertThat(dry.out()).contains("4 events of 1 hard-deleted stream").doesNotContain("game-recent");
        assertThat(eventsPerStream()).isEqualTo(eventsBefore);

        String secret = "not-in-the-audit-log";
        Cli.Result real = cli.run("cleanup", "--hard-delete-streams-older-than", "90d", "--force", "--db-password", secret);
        assertThat(real.exitCode()).as(real.all()).isZero();
        assertThat(items(real.out(), "Removed:")).isEqualTo(planned);

        assertThat(eventsPerStream()).doesNotContainKey("game-gone").containsEntry("game-keep", 3L).containsEntry("game-recent", 2L);
        assertThat(count("SELECT count(*) FROM " + SCHEMA + ".event_streams WHERE stream_id = 'game-gone'")).isZero();
        assertThat(count("SELECT count(*) FROM " + SCHEMA + ".subscriptions WHERE stream_id = 'game-gone'")).isZero();
        assertThat(count("SELECT count(*) FROM " + SCHEMA + ".event_streams WHERE stream_id = 'game-recent'")).isEqualTo(1);

        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT command, arguments, details::text FROM " + SCHEMA + ".audit_log")) {
            assertThat(rs.next()).isTrue();
            Array arguments = rs.getArray("arguments");
            assertThat((String[]) arguments.getArray()).containsExactly("--hard-delete-streams-older-than", "90d", "--force",
                    "--db-password", "***");
            assertThat(rs.getString("details")).contains("\"hard_deleted_streams\": [\"game-gone\"]",
                    "\"hard_deleted_events\": 4", "\"hard_deleted_subscription_rows\": 1").doesNotContain(secret);
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void theRunningBridgeDropsTheHardDeletesAndCarriesOn() throws Exception {
        sql("DELETE FROM " + SCHEMA + ".cdc_offsets");
        Map<String, String> environment = new HashMap<>(support.environment());
        environment.put("EVENTSTORE_SCHEMA", SCHEMA);
        bridge = EventBridge.start(BridgeConfig.load(new Properties(), environment), true);
        bridge.ready().get(60, TimeUnit.SECONDS);
        // The snapshot publishes the 9 stored events.
        TestKafka.readUntil(support.topics(), r -> r.size() >= 9, TIMEOUT);

        Cli.Result deleted = cli.run("cleanup", "--hard-delete-streams-older-than", "90d", "--force");
        assertThat(deleted.exitCode()).as(deleted.all()).isZero();
        append("game-after", 1);
        List<ConsumerRecord<String, byte[]>> records =
                TestKafka.readUntil(support.topics(), r -> r.stream().anyMatch(x -> x.key().equals("game-after")), TIMEOUT);
        // The deletes reached the bridge through its slot before the later insert: it dropped them
        // (nothing published for them), kept running and published what came after.
        assertThat(records.stream().filter(r -> r.key().equals("game-gone")).count()).isEqualTo(4);
        assertThat(records).hasSize(10);
        assertThat(bridge.terminated()).isNotDone();
        assertThat(bridge.health().failure()).isNull();
        assertThat(bridge.metrics().errorCount()).isZero();

        // Kafka keeps the hard-deleted stream's records: verify reports them as unknown, and
        // nothing missing.
        Cli.Result verify = cli.run("verify", "--wait", "PT30S");
        assertThat(verify.exitCode()).as(verify.all()).isZero();
        assertThat(verify.out()).contains("missing            0", "unknown            4   e.g. game-gone@1");
    }
}
