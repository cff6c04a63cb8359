package dev.eventstore.cli;

import static dev.eventstore.cli.BackupRestoreScenario.single;
import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventStore;
import dev.eventstore.bridge.BridgeTestAccess;
import dev.eventstore.embedded.EmbeddedPostgresServer;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
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
 * {@link PgDumpRestoreIT} follows docs/operations.md with the real pg_dump and pg_restore, on
 * servers of pg_dump's major version. What happens before the dump and after the restore is
 * {@link BackupRestoreScenario}, shared by both.
 */
class BackupRestoreIT {

    private static final String SCHEMA = "restore_it";
    private static final List<String> TABLES = List.of("event_streams", "events", "subscriptions", "cdc_heartbeat",
            "cdc_offsets", "cdc_checkpoints", "mirror_positions", "audit_log");
    private static final List<String> SEQUENCES = List.of("events_event_id_seq", "audit_log_audit_id_seq");

    private final TestDatabase original = TestDatabase.get();
    private final BridgeTestAccess support = new BridgeTestAccess();
    private final BackupRestoreScenario scenario = new BackupRestoreScenario(SCHEMA, support.topics());
    private EmbeddedPostgresServer other;

    @AfterEach
    void stop() {
        scenario.close();
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

    @Test
    void restoreIntoAnotherServerRefusesWithTheExactRepublishWhichMakesKafkaWhole() throws Exception {
        // The original server: a store whose bridge published 30 events, then 10 it never published.
        original.dropSchema(SCHEMA);
        new SchemaManager(original.dataSource(), SchemaName.of(SCHEMA), MigrationSource.builtIn()).migrate();
        EventStore before = EventStore.builder(original.dataSource()).schema(SchemaName.of(SCHEMA)).build();
        long lastId = scenario.publishThenStopTheBridge(environment(original.settings().url()), before, original.dataSource());
        Map<String, byte[]> dump = dump(original.dataSource());

        // Another server, a fresh database, the schema migrated, the dump restored.
        other = EmbeddedPostgresServer.start();
        other.createDatabase("restored");
        String restoredUrl = other.jdbcUrl("restored");
        DataSource restored = new ConnectionSettings(restoredUrl, EmbeddedPostgresServer.SUPERUSER, null).dataSource();
        new SchemaManager(restored, SchemaName.of(SCHEMA), MigrationSource.builtIn()).migrate();
        restore(restored, dump);
        assertThat(single(restored, "SELECT count(*) FROM " + SCHEMA + ".events")).isEqualTo(40);

        // The bridge refuses with the exact republish, which makes Kafka whole; then it resumes.
        EventStore after = EventStore.builder(restored).schema(SchemaName.of(SCHEMA)).build();
        scenario.refuseRepublishVerifyAndResume(environment(restoredUrl), after, restored, lastId);
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
