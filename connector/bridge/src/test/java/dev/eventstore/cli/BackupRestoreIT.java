package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.EventData;
import dev.eventstore.EventStore;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.BridgeException;
import dev.eventstore.bridge.BridgeTestAccess;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.embedded.EmbeddedPostgresServer;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.TestDatabase;
import dev.eventstore.testing.TestKafka;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Backup and restore: a store with published events is dumped, restored into a fresh database
 * on another PostgreSQL server, and the bridge started there refuses with the exact republish;
 * that republish, then {@code verify}, reports nothing missing, and the bridge then streams from
 * the slot its refusal created, without a new snapshot.
 *
 * <p>The dump: pg_dump must be of the server's major version or newer, and this machine has only
 * pg_dump 15 (/usr/bin) while the embedded server is 17 (zonky's binaries carry no pg_dump). So
 * the test does what {@code pg_dump --data-only --schema} followed by {@code pg_restore} into a
 * schema that {@code eventstore migrate} created does, with COPY through the driver: every table
 * of the schema but Flyway's history, in foreign-key order, and the sequences' positions.
 */
class BackupRestoreIT {

    private static final String SCHEMA = "restore_it";
    private static final List<String> TABLES = List.of("event_streams", "events", "subscriptions", "cdc_heartbeat",
            "cdc_offsets", "cdc_checkpoints", "mirror_positions", "audit_log");
    private static final List<String> SEQUENCES = List.of("events_event_id_seq", "audit_log_audit_id_seq");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final TestDatabase original = TestDatabase.get();
    private final BridgeTestAccess support = new BridgeTestAccess();
    private EmbeddedPostgresServer other;
    private EventBridge bridge;

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
        original.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                + " WHERE slot_name = '" + support.environment().get("EVENTSTORE_SLOT_NAME") + "' AND NOT active");
        if (other != null) {
            other.close();
        }
        original.dropSchema(SCHEMA);
    }

    private Map<String, String> environment(String url) {
        Map<String, String> environment = new HashMap<>(support.environment());
        environment.put("EVENTSTORE_SCHEMA", SCHEMA);
        environment.put("EVENTSTORE_DB_URL", url);
        environment.put("EVENTSTORE_DB_USER", EmbeddedPostgresServer.SUPERUSER);
        return environment;
    }

    private static EventBridge startBridge(Map<String, String> environment, boolean resetOffsets) throws Exception {
        EventBridge started = EventBridge.start(BridgeConfig.load(new Properties(), environment), resetOffsets);
        started.ready().get(60, TimeUnit.SECONDS);
        return started;
    }

    private static void append(EventStore store, String stream, int count) {
        for (int i = 0; i < count; i++) {
            store.append(stream, ExpectedVersion.ANY, EventData.of("Tick", "{\"i\":" + i + "}"));
        }
    }

    private static long single(DataSource dataSource, String query) throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void restoreIntoAnotherServerRefusesWithTheExactRepublishWhichMakesKafkaWhole() throws Exception {
        // The original server: a store whose bridge published 30 events.
        original.dropSchema(SCHEMA);
        new SchemaManager(original.dataSource(), SchemaName.of(SCHEMA), MigrationSource.builtIn()).migrate();
        EventStore before = EventStore.builder(original.dataSource()).schema(SchemaName.of(SCHEMA)).build();
        Map<String, String> originalEnvironment = environment(original.settings().url());
        bridge = startBridge(originalEnvironment, false);
        append(before, "game-1", 10);
        append(before, "game-2", 10);
        append(before, "player-1", 10);
        TestKafka.readUntil(support.topics(), r -> r.size() >= 30, TIMEOUT);
        // The bridge's monitor loop proves that Kafka acknowledged every event up to id 30.
        long lastId = single(original.dataSource(), "SELECT max(event_id) FROM " + SCHEMA + ".events");
        Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> single(original.dataSource(),
                "SELECT coalesce(max(published_below_event_id), 0) FROM " + SCHEMA + ".cdc_checkpoints") > lastId);
        bridge.close();
        bridge = null;

        // Committed but never published: the bridge is down, then the server is lost. The backup
        // was taken after these commits.
        append(before, "game-2", 5);
        append(before, "player-1", 5);
        Map<String, byte[]> dump = dump(original.dataSource());

        // Another server, a fresh database, the schema migrated, the dump restored.
        other = EmbeddedPostgresServer.start();
        other.createDatabase("restored");
        String restoredUrl = other.jdbcUrl("restored");
        DataSource restored = new ConnectionSettings(restoredUrl, EmbeddedPostgresServer.SUPERUSER, null).dataSource();
        new SchemaManager(restored, SchemaName.of(SCHEMA), MigrationSource.builtIn()).migrate();
        restore(restored, dump);
        assertThat(single(restored, "SELECT count(*) FROM " + SCHEMA + ".events")).isEqualTo(40);

        // The bridge refuses and names the exact republish.
        Map<String, String> restoredEnvironment = environment(restoredUrl);
        String slot = restoredEnvironment.get("EVENTSTORE_SLOT_NAME");
        String expected = "`eventstore republish --from-event-id " + (lastId + 1) + " --schema " + SCHEMA + "`";
        assertThatThrownBy(() -> startBridge(restoredEnvironment, false))
                .isInstanceOf(BridgeException.class)
                .hasMessageStartingWith("bridge " + restoredEnvironment.get("EVENTSTORE_BRIDGE_NAME") + " cannot resume: its"
                        + " offsets in " + SCHEMA + ".cdc_offsets were written on another PostgreSQL server")
                .hasMessageContaining("Kafka acknowledged every event with an id below " + (lastId + 1))
                .hasMessageContaining("Replication slot " + slot + " was created now")
                .hasMessageContaining("Run " + expected)
                .hasMessageContaining("--reset-offsets and snapshot.mode=no_data");
        // Every start refuses the same way until the operator has done what it says.
        String advice;
        try {
            startBridge(restoredEnvironment, false);
            throw new AssertionError("the bridge started on a restored store");
        } catch (BridgeException refused) {
            advice = refused.getMessage();
            assertThat(advice).contains("Run " + expected, "Replication slot " + slot + " exists");
        }
        // Game servers append meanwhile: the new slot keeps these for the bridge.
        EventStore after = EventStore.builder(restored).schema(SchemaName.of(SCHEMA)).build();
        append(after, "game-3", 2);

        // Run exactly the advised command, then verify.
        Matcher command = Pattern.compile("Run `eventstore ([^`]+)`").matcher(advice);
        assertThat(command.find()).isTrue();
        Cli cli = new Cli();
        restoredEnvironment.forEach(cli::with);
        Cli.Result republished = cli.run(command.group(1).split(" "));
        assertThat(republished.exitCode()).as(republished.all()).isZero();
        assertThat(republished.out()).startsWith("Republished 12 events (events from id " + (lastId + 1) + ")");
        Cli.Result verified = cli.run("verify", "--wait", "PT5S");
        assertThat(verified.exitCode()).as(verified.all()).isZero();
        assertThat(verified.out()).contains("Checked 42 stored events in 4 streams against 42 records",
                "missing            0", "duplicated         0", "OK: Kafka holds every stored event");

        // The bridge resumes from the slot its refusal created, without a snapshot: what was
        // appended since the refusal arrives again (recognisable duplicates), nothing else.
        Map<String, String> resume = new HashMap<>(restoredEnvironment);
        resume.put("EVENTSTORE_SNAPSHOT_MODE", "no_data");
        bridge = startBridge(resume, true);
        append(after, "game-4", 3);
        List<ConsumerRecord<String, byte[]>> records =
                TestKafka.readUntil(support.topics(), r -> r.stream().filter(x -> x.key().equals("game-4")).count() >= 3, TIMEOUT);
        assertThat(records.stream().filter(r -> r.key().equals("game-3")).count()).isEqualTo(4);
        Cli.Result whole = cli.run("verify", "--wait", "PT30S");
        assertThat(whole.exitCode()).as(whole.all()).isZero();
        assertThat(whole.out()).contains("Checked 45 stored events in 5 streams against 47 records",
                "missing            0", "duplicated         2");
        assertThat(TestKafka.readToEnd(support.topics(), 47, TIMEOUT)).hasSize(47);
        // The checkpoint now belongs to the new server.
        Awaitility.await().atMost(TIMEOUT).until(() -> single(restored, "SELECT count(*) FROM " + SCHEMA
                + ".cdc_checkpoints c, pg_control_system() p WHERE c.system_identifier = p.system_identifier"
                + " AND c.recovery_reason IS NULL") == 1);
    }

    /** Every table's rows (COPY, text format) and the sequences' positions, as a data-only dump. */
    private static Map<String, byte[]> dump(DataSource dataSource) throws Exception {
        Map<String, byte[]> dump = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ); // one snapshot, as pg_dump
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            for (String table : TABLES) {
                ByteArrayOutputStream rows = new ByteArrayOutputStream();
                copy.copyOut("COPY " + SCHEMA + "." + table + " TO STDOUT", rows);
                dump.put(table, rows.toByteArray());
            }
            try (Statement statement = connection.createStatement()) {
                for (String sequence : SEQUENCES) {
                    try (ResultSet rs = statement.executeQuery("SELECT last_value, is_called FROM " + SCHEMA + "." + sequence)) {
                        rs.next();
                        dump.put(sequence, (rs.getLong(1) + "," + rs.getBoolean(2)).getBytes());
                    }
                }
            }
            connection.commit();
        }
        return dump;
    }

    private static void restore(DataSource dataSource, Map<String, byte[]> dump) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            for (String table : TABLES) {
                copy.copyIn("COPY " + SCHEMA + "." + table + " FROM STDIN", new ByteArrayInputStream(dump.get(table)));
            }
            try (Statement statement = connection.createStatement()) {
                for (String sequence : SEQUENCES) {
                    String[] position = new String(dump.get(sequence)).split(",");
                    statement.execute("SELECT setval('" + SCHEMA + "." + sequence + "', " + position[0] + ", " + position[1] + ")");
                }
            }
            connection.commit();
        }
    }
}
