package dev.eventstore.bridge;

import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * What the bridge checks in PostgreSQL before it starts Debezium, so that it refuses clearly
 * instead of silently skipping events:
 * <ul>
 *   <li>the schema is migrated (the change-data-capture migration included);</li>
 *   <li>its slot, if it exists, belongs to this database, decodes with pgoutput, is not in use
 *       by another process, and has not been invalidated ({@code wal_status = lost});</li>
 *   <li>offsets stored for this bridge have the slot they describe: a missing slot with stored
 *       offsets means the slot was dropped or the database restored from a backup, and events
 *       committed since may never reach Kafka.</li>
 * </ul>
 */
final class Preflight {

    private final DataSource dataSource;
    private final SchemaName schema;
    private final String bridgeName;
    private final String slotName;
    private final String publicationName;

    Preflight(DataSource dataSource, SchemaName schema, String bridgeName, String slotName, String publicationName) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.bridgeName = bridgeName;
        this.slotName = slotName;
        this.publicationName = publicationName;
    }

    /** Runs every check; with {@code resetOffsets}, forgets the stored offsets first. */
    void check(boolean resetOffsets) {
        try (Connection connection = dataSource.getConnection()) {
            requireMigrated(connection);
            if (resetOffsets) {
                deleteOffsets(connection);
            }
            ReplicationSlot slot = slot(connection, slotName);
            if (slot == null) {
                long offsets = storedOffsets(connection);
                if (offsets > 0) {
                    throw new BridgeException("bridge " + bridgeName + " has offsets in " + schema + ".cdc_offsets but its"
                            + " replication slot " + slotName + " does not exist (dropped, or the database was restored"
                            + " from a backup): events committed since then may be missing from Kafka. Start the bridge"
                            + " with --reset-offsets to publish every stored event again from a new slot (consumers see"
                            + " duplicates, recognisable by ce_id)");
                }
                return;
            }
            String database = connection.getCatalog();
            if (slot.database() != null && !slot.database().equals(database)) {
                throw new BridgeException("replication slot " + slotName + " belongs to database " + slot.database()
                        + ", not " + database + "; set slot.name to a slot of this database");
            }
            if (!"pgoutput".equals(slot.plugin())) {
                throw new BridgeException("replication slot " + slotName + " decodes with " + slot.plugin()
                        + ", not pgoutput; drop it or set slot.name to another slot");
            }
            if ("lost".equals(slot.walStatus())) {
                throw new BridgeException("replication slot " + slotName + " has been invalidated by PostgreSQL"
                        + " (wal_status lost, see max_slot_wal_keep_size): WAL it needed is gone and events committed"
                        + " meanwhile were not captured. Drop the slot (SELECT pg_drop_replication_slot('" + slotName
                        + "')) and start the bridge with --reset-offsets, which publishes every stored event again");
            }
            if (slot.active()) {
                throw new BridgeException("replication slot " + slotName + " is in use by another process (pid "
                        + slot.activePid() + "); one bridge per slot: stop the other or set slot.name");
            }
        } catch (SQLException e) {
            throw new BridgeException(PostgresErrors.describe(e), e);
        }
    }

    private void requireMigrated(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT to_regclass(?) IS NOT NULL, EXISTS (SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = ?)")) {
            statement.setString(1, schema.value() + ".cdc_offsets");
            statement.setString(2, publicationName);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1) || !rs.getBoolean(2)) {
                    throw new BridgeException("schema " + schema + " is not migrated for change data capture"
                            + " (no cdc_offsets table or publication " + publicationName + "): run `eventstore migrate`");
                }
            }
        }
    }

    static ReplicationSlot slot(Connection connection, String slotName) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(SqlResource.load("replication_slot"))) {
            statement.setString(1, slotName);
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                int pid = rs.getInt("active_pid");
                return new ReplicationSlot(rs.getString("slot_name"), rs.getString("plugin"), rs.getString("database"),
                        rs.getBoolean("active"), rs.wasNull() ? null : pid, rs.getString("wal_status"),
                        rs.getLong("retained_bytes"), rs.getLong("lag_bytes"));
            }
        }
    }

    private String keyPrefix() {
        return "[\"" + bridgeName.replace("\\", "\\\\").replace("\"", "\\\"") + "\",";
    }

    private long storedOffsets(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(SqlResource.load("count_cdc_offsets", schema))) {
            statement.setString(1, keyPrefix());
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void deleteOffsets(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(SqlResource.load("delete_bridge_offsets", schema))) {
            statement.setString(1, keyPrefix());
            statement.executeUpdate();
        }
    }
}
