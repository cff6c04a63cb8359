package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.EventData;
import dev.eventstore.EventStore;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.embedded.EmbeddedPostgresServer;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.TestDatabase;
import dev.eventstore.testing.TestKafka;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each role can do its job and nothing more: every forbidden operation fails with SQLSTATE 42501
 * (insufficient privilege), and the bridge runs as its CDC role, never a superuser. The writer
 * writes only through functions that validate (no forged event id, version, deleted_at or
 * created_at; no other group's positions deleted), the bridge's role writes audit rows only
 * through record_audit (who and when from the session), and the publish checkpoint never
 * counts an event id the sequence did not hand out.
 */
class LeastPrivilegeIT {

    static final String SCHEMA = "security_it";
    static final String PASSWORD = "role-Pa55word";

    private static final TestDatabase database = TestDatabase.get();

    @BeforeAll
    static void migrateAndCreateLogins() {
        Assumptions.assumeTrue(database.embedded() != null, "creates roles: only on the embedded server");
        database.dropSchema(SCHEMA);
        new SchemaManager(database.dataSource(), SchemaName.of(SCHEMA), MigrationSource.builtIn()).migrate();
        EmbeddedPostgresServer server = database.embedded();
        server.createRole("sec_writer", PASSWORD);
        server.createRole("sec_writer2", PASSWORD);
        server.createRole("sec_reader", PASSWORD);
        server.createRole("sec_bridge", PASSWORD, "REPLICATION");
        server.createRole("sec_nobody", PASSWORD);
        database.execute("GRANT security_it_writer TO sec_writer", "GRANT security_it_writer TO sec_writer2",
                "GRANT security_it_reader TO sec_reader",
                "GRANT security_it_cdc TO sec_bridge");
    }

    private static DataSource as(String role) {
        return new ConnectionSettings(database.settings().url(), role, PASSWORD).dataSource();
    }

    private static EventStore storeAs(String role) {
        return EventStore.builder(as(role)).schema(SchemaName.of(SCHEMA)).build();
    }

    private static void assertForbidden(String role, String sql) {
        assertThatThrownBy(() -> {
            try (Connection connection = as(role).getConnection(); Statement statement = connection.createStatement()) {
                statement.execute(sql);
            }
        }).as(role + ": " + sql).isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as(e.getMessage()).isEqualTo("42501"));
    }

    private static void assertRefused(String role, String sql, String sqlState) {
        assertThatThrownBy(() -> {
            try (Connection connection = as(role).getConnection(); Statement statement = connection.createStatement()) {
                statement.execute(sql);
            }
        }).as(role + ": " + sql).isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as(e.getMessage()).isEqualTo(sqlState));
    }

    private static long queryLong(String sql) throws SQLException {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void writerAppendsAndReadsButNeverChangesEvents() {
        EventStore writer = storeAs("sec_writer");
        writer.append("game-w", ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"));
        writer.append("game-w", ExpectedVersion.exactly(1), EventData.of("PointsScored", "{}"));
        writer.append("game-w", ExpectedVersion.ANY, List.of(EventData.of("PointsScored", "{}"), EventData.of("GameEnded", "{}")));
        assertThat(writer.readStreamForward("game-w", 1, 10)).extracting(e -> e.streamVersion()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(writer.readAllForward(0, 10)).isNotEmpty();
        writer.subscriptions().recordPosition("writer-own", "game-w", 1, 1, null);
        assertThat(writer.subscriptions().positions("writer-own")).hasSize(1);
        assertThat(writer.subscriptions().deleteSubscription("writer-own")).isEqualTo(1);

        assertForbidden("sec_writer", "UPDATE security_it.events SET event_type = 'Forged'");
        assertForbidden("sec_writer", "DELETE FROM security_it.events");
        assertForbidden("sec_writer", "TRUNCATE security_it.events");
        assertForbidden("sec_writer", "CREATE TABLE security_it.intruder (id int)");
        assertForbidden("sec_writer", "SELECT security_it.grant_roles()");
        assertForbidden("sec_writer", "INSERT INTO security_it.audit_log (command) VALUES ('forged')");
        assertForbidden("sec_writer", "SELECT security_it.record_audit('cleanup', ARRAY['--force'], NULL, NULL, NULL)");
    }

    @Test
    void writerCannotWriteTheTablesDirectly() throws SQLException {
        storeAs("sec_writer").append("game-forge", ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"));
        // A forged event id, a stream created with version 77 and a control character, any created_at.
        assertForbidden("sec_writer", "INSERT INTO security_it.events (event_id, stream_id, stream_version, event_type, data)"
                + " VALUES (5000000000, 'game-forge', 2, 'Forged', '{}')");
        assertForbidden("sec_writer", "INSERT INTO security_it.events (stream_id, stream_version, event_type, data, created_at)"
                + " VALUES ('game-forge', 2, 'Forged', '{}', '2001-01-01')");
        assertForbidden("sec_writer", "INSERT INTO security_it.event_streams (stream_id, stream_version)"
                + " VALUES (E'bad\\x01id', 77)");
        assertForbidden("sec_writer", "SELECT nextval('security_it.events_event_id_seq')");
        // deleted_at back-dated, a stream un-deleted, its version moved.
        assertForbidden("sec_writer", "UPDATE security_it.event_streams SET deleted_at = '2000-01-01' WHERE stream_id = 'game-forge'");
        assertForbidden("sec_writer", "UPDATE security_it.event_streams SET deleted_at = NULL");
        assertForbidden("sec_writer", "UPDATE security_it.event_streams SET stream_version = 77 WHERE stream_id = 'game-forge'");
        // Subscription rows only through the functions.
        assertForbidden("sec_writer", "DELETE FROM security_it.subscriptions");
        assertForbidden("sec_writer", "INSERT INTO security_it.subscriptions (subscription_id, stream_id) VALUES ('x', 'game-forge')");
        assertForbidden("sec_writer", "UPDATE security_it.subscriptions SET last_seen_event_id = 5000000000");
        // The functions validate what the tables would have taken.
        assertRefused("sec_writer", "SELECT * FROM security_it.append_event(E'bad\\x01id', -1, 'T', 1, '{}', NULL)", "ZE004");
        assertRefused("sec_writer", "SELECT * FROM security_it.append_event('game-forge', -1, E'T\\x01', 1, '{}', NULL)", "ZE005");
        assertRefused("sec_writer", "SELECT * FROM security_it.append_event('game-forge', 77, 'T', 1, '{}', NULL)", "ZE001");
        assertRefused("sec_writer", "SELECT * FROM security_it.append_event('game-forge', -1, 'T', 0, '{}', NULL)", "ZE005");
        assertRefused("sec_writer", "SELECT * FROM security_it.append_event('game-forge', -1, 'T', 1, NULL, NULL)", "ZE005");

        assertThat(queryLong("SELECT count(*) FROM security_it.events WHERE stream_id = 'game-forge'")).isEqualTo(1);
        assertThat(queryLong("SELECT stream_version FROM security_it.event_streams WHERE stream_id = 'game-forge'")).isEqualTo(1);
        assertThat(queryLong("SELECT count(*) FROM security_it.event_streams WHERE stream_id = 'game-forge'"
                + " AND deleted_at IS NOT NULL")).isZero();
    }

    @Test
    void writerDeletesThePositionsOfItsOwnGroupsOnly() throws SQLException {
        storeAs("sec_writer").append("game-groups", ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"));
        // Another login records the positions of its group first: it owns the group.
        EventStore other = storeAs("sec_writer2");
        other.subscriptions().recordPosition("leaderboard-other", "game-groups", 1, 1, null);
        EventStore writer = storeAs("sec_writer");
        writer.subscriptions().recordPosition("writer-mine", "game-groups", 1, 1, null);

        assertRefused("sec_writer", "SELECT security_it.delete_subscription('leaderboard-other', NULL)", "42501");
        assertRefused("sec_writer", "SELECT security_it.delete_subscription('leaderboard-other', 'game-groups')", "42501");
        assertThatThrownBy(() -> writer.subscriptions().deleteSubscription("leaderboard-other"))
                .satisfies(e -> assertThat(PostgresErrors.sqlCause(e).getSQLState()).isEqualTo("42501"))
                .hasMessageContaining("belongs to role sec_writer2");
        assertThat(other.subscriptions().positions("leaderboard-other")).hasSize(1);
        // Nor may it record a position of the group (which would skip events for it and end its waits).
        assertThatThrownBy(() -> writer.subscriptions().recordPosition("leaderboard-other", "game-groups", 1, 1, null))
                .satisfies(e -> assertThat(PostgresErrors.sqlCause(e).getSQLState()).isEqualTo("42501"))
                .hasMessageContaining("may not record positions of subscription leaderboard-other: they belong to role sec_writer2");
        assertRefused("sec_writer", "SELECT security_it.delete_subscription('leaderboard-other', NULL)", "42501");
        assertForbidden("sec_writer", "UPDATE security_it.subscription_owners SET owner_role = 'sec_writer'");
        // A group the bridge's login recorded first (its offset mirror) stays open to the application's.
        storeAs("sec_bridge").subscriptions().recordPosition("mirrored-first", "game-groups", 1, 1, null);
        assertThat(writer.subscriptions().recordPosition("mirrored-first", "game-groups", 2, 2, null)).isTrue();

        assertThat(writer.subscriptions().deleteSubscription("writer-mine")).isEqualTo(1);
        assertThat(other.subscriptions().deleteSubscription("leaderboard-other")).isEqualTo(1);
        // A group without positions deletes nothing, whoever asks.
        assertThat(writer.subscriptions().deleteSubscription("leaderboard-other")).isZero();
    }

    @Test
    void writerWritesStreamMetadataOnlyThroughTheFunctionAndTheReaderNotAtAll() throws SQLException {
        EventStore writer = storeAs("sec_writer");
        writer.append("game-meta", ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"));
        assertThat(writer.setStreamMetadata("game-meta", "{\"owner\":\"ann\"}")).isEqualTo("{\"owner\": \"ann\"}");
        assertThat(writer.mergeStreamMetadata("game-meta", "{\"region\":\"eu\"}")).contains("\"owner\"", "\"region\"");
        assertThat(writer.findStreamsByMetadata("{\"region\":\"eu\"}", null, 10)).extracting(s -> s.streamId())
                .containsExactly("game-meta");
        assertRefused("sec_writer", "SELECT security_it.set_stream_metadata('game-meta', '[1]', false)", "ZE006");
        assertForbidden("sec_writer", "UPDATE security_it.event_streams SET metadata = '{}' WHERE stream_id = 'game-meta'");

        EventStore reader = storeAs("sec_reader");
        assertThat(reader.streamInfo("game-meta").orElseThrow().metadata()).contains("\"region\"");
        assertThat(reader.findStreamsByMetadata("{\"owner\":\"ann\"}", null, 10)).hasSize(1);
        assertThatThrownBy(() -> reader.setStreamMetadata("game-meta", "{\"owner\":\"eve\"}"))
                .satisfies(e -> assertThat(PostgresErrors.sqlCause(e).getSQLState()).isEqualTo("42501"));
        assertThatThrownBy(() -> reader.mergeStreamMetadata("game-meta", "{\"owner\":\"eve\"}"))
                .satisfies(e -> assertThat(PostgresErrors.sqlCause(e).getSQLState()).isEqualTo("42501"));
        assertForbidden("sec_reader", "SELECT security_it.set_stream_metadata('game-meta', '{}', false)");
        assertForbidden("sec_reader", "UPDATE security_it.event_streams SET metadata = '{}'");
        assertForbidden("sec_bridge", "SELECT security_it.set_stream_metadata('game-meta', '{}', false)");
        assertForbidden("sec_nobody", "SELECT security_it.set_stream_metadata('game-meta', '{}', false)");
        assertThat(reader.streamInfo("game-meta").orElseThrow().metadata()).contains("\"owner\": \"ann\"");
    }

    @Test
    void sessionInTokyoStillWritesUtc() throws SQLException {
        try (Connection connection = as("sec_writer").getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("SET TimeZone = 'Asia/Tokyo'");
            EventStore writer = storeAs("sec_writer");
            writer.append(connection, "game-tokyo", ExpectedVersion.NO_STREAM, List.of(EventData.of("GameStarted", "{}")));
            writer.append(connection, "game-tokyo", ExpectedVersion.exactly(1), List.of(EventData.of("PointsScored", "{}")));
            statement.execute("SELECT * FROM security_it.append_to_stream('game-tokyo', 2, ARRAY['A', 'B'], NULL,"
                    + " ARRAY['{}'::jsonb, '{}'::jsonb], NULL)");
            statement.execute("SELECT * FROM security_it.append_event('game-tokyo', 4, 'C', 1, '{}', NULL)");
            statement.execute("SELECT security_it.delete_stream('game-tokyo', 5)");
            // The column default now() would store Tokyo's local time: the writer cannot reach it.
            assertThatThrownBy(() -> statement.execute("INSERT INTO security_it.events (stream_id, stream_version, event_type,"
                    + " data) VALUES ('game-tokyo', 6, 'Raw', '{}')"))
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
        }
        LocalDateTime utcNow = LocalDateTime.now(ZoneOffset.UTC);
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT created_at FROM security_it.events WHERE stream_id = 'game-tokyo'"
                     + " UNION ALL SELECT created_at FROM security_it.event_streams WHERE stream_id = 'game-tokyo'"
                     + " UNION ALL SELECT updated_at FROM security_it.event_streams WHERE stream_id = 'game-tokyo'"
                     + " UNION ALL SELECT deleted_at FROM security_it.event_streams WHERE stream_id = 'game-tokyo'")) {
            int rows = 0;
            while (rs.next()) {
                rows++;
                LocalDateTime written = rs.getObject(1, LocalDateTime.class);
                assertThat(Duration.between(written, utcNow).abs()).as("written %s, UTC now %s", written, utcNow)
                        .isLessThan(Duration.ofMinutes(5));
            }
            assertThat(rows).isEqualTo(8);
        }
    }

    @Test
    void republishWithALoginThatMayNotRecordItselfIsRefusedBeforeItStarts() throws SQLException {
        storeAs("sec_writer").append("game-norecord", ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"));
        long auditRows = queryLong("SELECT count(*) FROM security_it.audit_log");
        Cli.Result refused = cliAs("sec_writer", "norecord" + System.nanoTime()).run("republish", "--stream", "game-norecord");
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(ExitCodes.FAILURE);
        assertThat(refused.err()).startsWith("eventstore: cannot run republish: role sec_writer may not write audit rows")
                .doesNotContain("Exception");
        assertThat(refused.out()).doesNotContain("Republished");
        assertThat(queryLong("SELECT count(*) FROM security_it.audit_log")).isEqualTo(auditRows);
    }

    private static Cli cliAs(String role, String prefix) {
        Cli cli = new Cli();
        bridgeSettings(role, prefix).forEach((key, value) -> cli.with(BridgeConfig.environmentVariable(key), value.toString()));
        return cli;
    }

    private static Map<String, Object> bridgeSettings(String role, String prefix) {
        Map<String, Object> config = new HashMap<>();
        config.put(BridgeConfig.Key.DB_URL, database.settings().url());
        config.put(BridgeConfig.Key.DB_USER, role);
        config.put(BridgeConfig.Key.DB_PASSWORD, PASSWORD);
        config.put(BridgeConfig.Key.SCHEMA, SCHEMA);
        config.put(BridgeConfig.Key.SLOT_NAME, "security_it_" + prefix);
        config.put(BridgeConfig.Key.KAFKA_BOOTSTRAP_SERVERS, TestKafka.bootstrapServers());
        config.put(BridgeConfig.Key.HTTP_PORT, -1);
        config.put("topic.prefix", prefix);
        return config;
    }

    @Test
    void bridgeRoleRecordsAuditRowsThatNameItButCannotForgeReadOrChangeThem() throws SQLException {
        // The forgery: another user, another time, written directly.
        assertForbidden("sec_bridge", "INSERT INTO security_it.audit_log (db_user, session_user_name, command, arguments,"
                + " occurred_at) VALUES ('postgres', 'postgres', 'cleanup', ARRAY['--force'], '2020-01-01')");
        assertForbidden("sec_bridge", "SET ROLE postgres");
        long id;
        try (Connection connection = as("sec_bridge").getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(
                     "SELECT security_it.record_audit('republish', ARRAY['--all'], '{\"events\": 1}', 'ops', 'host-1')")) {
            rs.next();
            id = rs.getLong(1);
        }
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT db_user, session_user_name, command, os_user,"
                     + " occurred_at > (now() AT TIME ZONE 'UTC') - interval '5 minutes'"
                     + " AND occurred_at <= (now() AT TIME ZONE 'UTC') FROM security_it.audit_log WHERE audit_id = " + id)) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("sec_bridge");
            assertThat(rs.getString(2)).isEqualTo("sec_bridge");
            assertThat(rs.getString(3)).isEqualTo("republish");
            assertThat(rs.getString(4)).isEqualTo("ops");
            assertThat(rs.getBoolean(5)).as("occurred_at is the server's time, UTC").isTrue();
        }
        assertRefused("sec_bridge", "SELECT security_it.record_audit(E'bad\\x01', NULL, NULL, NULL, NULL)", "ZE006");
        assertForbidden("sec_bridge", "SELECT command FROM security_it.audit_log");
        assertForbidden("sec_bridge", "UPDATE security_it.audit_log SET command = 'forged'");
        assertForbidden("sec_bridge", "DELETE FROM security_it.audit_log");
    }

    @Test
    void readerOnlyReads() {
        storeAs("sec_writer").append("game-r", ExpectedVersion.ANY, EventData.of("GameStarted", "{}"));
        assertThat(storeAs("sec_reader").readStreamForward("game-r", 1, 10)).isNotEmpty();

        assertThatThrownBy(() -> storeAs("sec_reader").append("game-r", ExpectedVersion.ANY, EventData.of("Forged", "{}")))
                .satisfies(e -> assertThat(PostgresErrors.sqlCause(e).getSQLState()).isEqualTo("42501"));
        assertForbidden("sec_reader", "INSERT INTO security_it.event_streams (stream_id) VALUES ('forged')");
        assertForbidden("sec_reader", "UPDATE security_it.subscriptions SET last_seen_stream_version = 0");
        assertForbidden("sec_reader", "CREATE TABLE security_it.intruder (id int)");
    }

    @Test
    void publicHasNoAccessAtAll() {
        assertForbidden("sec_nobody", "SELECT * FROM security_it.events");
        assertForbidden("sec_nobody", "CREATE TABLE security_it.intruder (id int)");
        assertForbidden("sec_nobody", "SELECT security_it.read_all_forward(0, 10)");
    }

    @Test
    void bridgeRunsAsItsCdcRoleAndItsCheckpointCountsOnlyIdsTheSequenceHandedOut() throws Exception {
        assertForbidden("sec_bridge", "INSERT INTO security_it.event_streams (stream_id) VALUES ('forged')");
        assertForbidden("sec_bridge", "DELETE FROM security_it.events");
        assertForbidden("sec_bridge", "INSERT INTO security_it.subscriptions (subscription_id, stream_id) VALUES ('x', 'y')");

        String prefix = "sec" + System.nanoTime();
        String slot = "security_it_" + prefix;
        Map<String, Object> settings = bridgeSettings("sec_bridge", prefix);
        settings.put(BridgeConfig.Key.NAME, prefix);
        // A checkpoint raised past every real event (as a forged id would have raised it), on this
        // server, database and slot: the bridge must not take it over.
        database.execute("INSERT INTO security_it.cdc_checkpoints (bridge_name, system_identifier, database_name,"
                + " slot_name, published_below_event_id) SELECT '" + prefix + "', system_identifier, current_database(), '"
                + slot + "', 5000000001 FROM pg_control_system()");
        EventBridge bridge = EventBridge.start(new BridgeConfig(settings), false);
        try {
            bridge.ready().get(60, TimeUnit.SECONDS);
            EventStore writer = storeAs("sec_writer");
            dev.eventstore.AppendResult appended = writer.append("game-cdc", ExpectedVersion.ANY, EventData.of("GameStarted", "{}"));
            long real = appended.eventIds().get(0);
            // The bridge's login records the published position; the writer's waits read it, and cannot forge one.
            writer.awaitPublished(appended, Duration.ofSeconds(60));
            assertForbidden("sec_writer", "INSERT INTO security_it.published_streams (stream_id, last_published_event_id,"
                    + " last_published_stream_version, topic, kafka_partition, kafka_offset) VALUES ('game-x', 1, 1, 't', 0, 0)");
            assertForbidden("sec_writer", "UPDATE security_it.published_streams SET last_published_stream_version = 99");
            assertForbidden("sec_reader", "DELETE FROM security_it.published_streams");
            // A row whose id the sequence never handed out, written with the owner's rights.
            database.execute("INSERT INTO security_it.events (event_id, stream_id, stream_version, event_type, data)"
                    + " VALUES (5000000000, 'game-cdc', 1000, 'Forged', '{}')");
            TestKafka.readUntil(java.util.regex.Pattern.quote(prefix) + "\\..*",
                    r -> r.stream().anyMatch(x -> "game-cdc".equals(x.key())), Duration.ofSeconds(60));
            String checkpoint = "SELECT coalesce(max(published_below_event_id), 0) FROM security_it.cdc_checkpoints"
                    + " WHERE slot_name = '" + slot + "'";
            String nextId = "SELECT last_value + 1 FROM security_it.events_event_id_seq";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while ((queryLong(checkpoint) <= real || queryLong(checkpoint) > queryLong(nextId)) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            long watermark = queryLong(checkpoint);
            assertThat(watermark).as("the checkpoint passed the real event").isGreaterThan(real);
            assertThat(watermark).as("the checkpoint stays at or below the sequence's next id")
                    .isLessThanOrEqualTo(queryLong(nextId));
        } finally {
            bridge.close();
            try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
                connection.setAutoCommit(false);
                statement.execute("SET LOCAL eventstore.maintenance = 'on'");
                statement.execute("DELETE FROM security_it.events WHERE event_id = 5000000000");
                connection.commit();
            }
            database.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                    + " WHERE slot_name = '" + slot + "' AND NOT active");
        }
    }

    @Test
    void republishAndReplayWithTheBridgeLoginWriteAuditRowsThatNameIt() throws Exception {
        storeAs("sec_writer").append("game-audited", ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"));
        String prefix = "audited" + System.nanoTime();
        String group = "replayed-" + prefix;
        try {
            Cli.Result republished = cliAs("sec_bridge", prefix).run("republish", "--stream", "game-audited");
            assertThat(republished.exitCode()).as(republished.all()).isZero();
            assertThat(lastAuditRow("republish")).isEqualTo("sec_bridge | sec_bridge | republish --stream game-audited");

            // A consumer group that has read the topic to its end.
            String topic = prefix + ".game";
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
                    TestKafka.bootstrapServers(), "group.id", group, "enable.auto.commit", "false"),
                    new StringDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
                consumer.endOffsets(partitions, Duration.ofSeconds(30)).forEach((tp, end) -> ends.put(tp, new OffsetAndMetadata(end)));
                consumer.commitSync(ends, Duration.ofSeconds(30));
            }
            Cli.Result refused = cliAs("sec_writer", prefix).run("replay", "--group", group, "--to-earliest");
            assertThat(refused.exitCode()).as(refused.all()).isEqualTo(ExitCodes.FAILURE);
            assertThat(refused.err()).startsWith("eventstore: cannot run replay: role sec_writer may not write audit rows");
            Cli.Result replayed = cliAs("sec_bridge", prefix).run("replay", "--group", group, "--to-earliest");
            assertThat(replayed.exitCode()).as(replayed.all()).isZero();
            assertThat(lastAuditRow("replay")).isEqualTo("sec_bridge | sec_bridge | replay --group " + group + " --to-earliest");
        } finally {
            database.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                    + " WHERE slot_name = 'security_it_" + prefix + "' AND NOT active");
        }
    }

    private static String lastAuditRow(String command) throws SQLException {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT db_user || ' | ' || session_user_name || ' | '"
                     + " || array_to_string(arguments, ' ') FROM security_it.audit_log WHERE command = '" + command + "'"
                     + " ORDER BY audit_id DESC LIMIT 1")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /**
     * REPLICATION lets its role decode every table of a database it may connect to, through a slot
     * of its own, whatever its table privileges. The SQL functions of logical decoding are a way in
     * that a database can close (the bridge itself streams over the replication protocol).
     */
    @Test
    void replicationDecodesEveryTableUnlessTheDecodingFunctionsAreRevoked() throws SQLException {
        String db = "security_it_repl";
        database.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                + " WHERE slot_name = 'security_it_probe' AND NOT active", "DROP DATABASE IF EXISTS " + db,
                "CREATE DATABASE " + db);
        String url = database.embedded().jdbcUrl(db);
        try {
            try (Connection admin = database.embedded().connect(db); Statement statement = admin.createStatement()) {
                statement.execute("CREATE TABLE secret (v text)");
            }
            try (Connection bridge = new ConnectionSettings(url, "sec_bridge", PASSWORD).dataSource().getConnection();
                 Statement statement = bridge.createStatement()) {
                statement.execute("SELECT pg_create_logical_replication_slot('security_it_probe', 'test_decoding')");
                try (Connection admin = database.embedded().connect(db); Statement insert = admin.createStatement()) {
                    insert.execute("INSERT INTO secret VALUES ('top-secret')");
                }
                assertForbiddenIn(url, "SELECT * FROM secret");
                try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM pg_logical_slot_get_changes("
                        + "'security_it_probe', NULL, NULL) WHERE data LIKE '%top-secret%'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("the row the role may not SELECT, decoded").isEqualTo(1);
                }
                statement.execute("SELECT pg_drop_replication_slot('security_it_probe')");
            }
            // The measure docs/operations.md gives: no logical decoding by SQL in this database.
            try (Connection admin = database.embedded().connect(db); Statement statement = admin.createStatement()) {
                statement.execute(REVOKE_DECODING_FUNCTIONS);
            }
            assertForbiddenIn(url, "SELECT pg_create_logical_replication_slot('security_it_probe', 'test_decoding')");
            assertForbiddenIn(url, "SELECT * FROM pg_logical_slot_get_changes('security_it_probe', NULL, NULL)");
            assertForbiddenIn(url, "SELECT * FROM pg_logical_slot_peek_binary_changes('security_it_probe', NULL, NULL)");
        } finally {
            database.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                    + " WHERE slot_name = 'security_it_probe' AND NOT active", "DROP DATABASE IF EXISTS " + db);
        }
    }

    /** As docs/operations.md gives it ("Roles and privileges"), run as a superuser in the store's database. */
    static final String REVOKE_DECODING_FUNCTIONS = """
            DO $$
            DECLARE f regprocedure;
            BEGIN
              FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
                        WHERE p.pronamespace = 'pg_catalog'::regnamespace
                          AND p.proname IN ('pg_create_logical_replication_slot', 'pg_copy_logical_replication_slot',
                                            'pg_logical_slot_get_changes', 'pg_logical_slot_peek_changes',
                                            'pg_logical_slot_get_binary_changes', 'pg_logical_slot_peek_binary_changes',
                                            'pg_replication_slot_advance')
              LOOP
                EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
              END LOOP;
            END
            $$""";

    private static void assertForbiddenIn(String url, String sql) {
        assertThatThrownBy(() -> {
            try (Connection connection = new ConnectionSettings(url, "sec_bridge", PASSWORD).dataSource().getConnection();
                 Statement statement = connection.createStatement()) {
                statement.execute(sql);
            }
        }).as("sec_bridge: " + sql).isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as(e.getMessage()).isEqualTo("42501"));
    }

    @Test
    void noSecurityDefinerFunctionLeavesItsSearchPathOpen() throws SQLException {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                     + " WHERE n.nspname = 'security_it' AND p.prosecdef"
                     + " AND NOT coalesce(array_to_string(p.proconfig, ',') LIKE '%search_path=%', false)")) {
            assertThat(rs.next()).as("a SECURITY DEFINER function without a pinned search_path").isFalse();
        }
    }

    @Test
    void rolesCommandCreatesAndGrantsIdempotently() {
        Cli cli = new Cli().with(ConnectionSettings.ENV_URL, database.settings().url())
                .with(ConnectionSettings.ENV_USER, database.settings().user())
                .with(DatabaseOptions.ENV_SCHEMA, SCHEMA);
        for (int run = 0; run < 2; run++) {
            Cli.Result result = cli.run("roles");
            assertThat(result.exitCode()).as(result.all()).isZero();
            assertThat(result.out()).startsWith("Group roles security_it_reader, security_it_writer and security_it_cdc exist");
        }
        try {
            // Sessions of the group's logins that name no time zone of their own run in UTC.
            assertThat(queryLong("SELECT count(*) FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole"
                    + " WHERE r.rolname IN ('sec_writer', 'sec_reader', 'sec_bridge')"
                    + " AND s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())"
                    + " AND 'TimeZone=UTC' = ANY (s.setconfig)")).isEqualTo(3);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        Cli.Result refused = new Cli().with(ConnectionSettings.ENV_URL, database.settings().url())
                .with(ConnectionSettings.ENV_USER, "sec_writer").with(ConnectionSettings.ENV_PASSWORD, PASSWORD)
                .with(DatabaseOptions.ENV_SCHEMA, SCHEMA).run("roles");
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(refused.err()).startsWith("eventstore: cannot create the roles: permission denied");
    }
}
