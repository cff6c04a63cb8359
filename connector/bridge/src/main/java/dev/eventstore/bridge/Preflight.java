package dev.eventstore.bridge;

import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the bridge checks in PostgreSQL before it starts Debezium, so that it refuses clearly
 * instead of silently skipping events:
 * <ul>
 *   <li>the schema is migrated (the change-data-capture migration included);</li>
 *   <li>its slot, if it exists, belongs to this database, decodes with pgoutput, is not in use
 *       by another process, and has not been invalidated ({@code wal_status = lost});</li>
 *   <li>offsets stored for this bridge have the slot they describe: a missing slot with stored
 *       offsets means the slot was dropped or the database restored from a backup, and events
 *       committed since may never reach Kafka;</li>
 *   <li>the offsets were written on this server, in this database, for this slot
 *       ({@code cdc_checkpoints}, kept by the running bridge): after a restore into another server
 *       (pg_dump, or a base backup: neither carries slots) Debezium's LSNs describe the old
 *       server's WAL and mean nothing here.</li>
 * </ul>
 * It runs under the store's {@link BridgeLock}, so no other bridge of the store runs meanwhile,
 * and every check that can refuse runs before anything is written: a refused start (or
 * {@code --reset-offsets}) creates no slot, deletes no offsets and writes no checkpoint. A
 * {@code slot.name} other than the one the offsets describe is a setting to correct, refused as such.
 * When the offsets cannot be trusted and the bridge knows its publish checkpoint, it refuses
 * with the exact recovery: it creates the slot now (so that every change from here on is kept),
 * notes the recovery (every later start refuses the same way until {@code --reset-offsets}) and
 * names {@code eventstore republish --from-event-id N}, N being the low watermark below which
 * Kafka acknowledged every event. Republish first, then start with {@code --reset-offsets} and
 * {@code snapshot.mode=no_data}: the bridge streams from that slot, and nothing committed in
 * between is skipped (what both send arrives twice, in order, recognisable by {@code ce_id}).
 *
 * <p>With {@code slot.failover} (the default), a slot it creates is a failover slot on PostgreSQL
 * 17 and later, and an existing slot that is not one is named in a warning: a failover loses it.
 */
final class Preflight {

    private static final Logger log = LoggerFactory.getLogger(Preflight.class);

    private final DataSource dataSource;
    private final SchemaName schema;
    private final String bridgeName;
    private final String slotName;
    private final String publicationName;
    private final PublishCheckpoints checkpoints;
    private final boolean failoverSlot;

    Preflight(DataSource dataSource, SchemaName schema, String bridgeName, String slotName, String publicationName,
              boolean failoverSlot) {
        this.failoverSlot = failoverSlot;
        this.dataSource = dataSource;
        this.schema = schema;
        this.bridgeName = bridgeName;
        this.slotName = slotName;
        this.publicationName = publicationName;
        this.checkpoints = new PublishCheckpoints(schema);
    }

    /**
     * Runs every check; with {@code resetOffsets}, forgets the stored offsets once the slot's checks
     * have passed. Every check that can refuse runs before anything is written: a refused start
     * creates no slot and deletes nothing (the one write of a refusal is the recovery's, below).
     */
    void check(boolean resetOffsets) {
        try (Connection connection = dataSource.getConnection()) {
            requireMigrated(connection);
            ReplicationSlot slot = slot(connection, slotName);
            if (resetOffsets) {
                if (slot != null) {
                    checkSlot(connection, slot);
                }
                forgetOffsets(connection);
                return;
            }
            if (storedOffsets(connection) > 0) {
                PublishCheckpoints.Checkpoint checkpoint = checkpoints.find(connection, bridgeName);
                if (checkpoint != null && !checkpoint.recoveryPending() && !checkpoint.slotName().equals(slotName)) {
                    // A setting, not a lost slot: refuse, and touch neither slot nor checkpoint.
                    throw new BridgeException("bridge " + bridgeName + " has offsets in " + schema + ".cdc_offsets for"
                            + " replication slot " + checkpoint.slotName() + ", but slot.name is " + slotName + ": set"
                            + " slot.name to " + checkpoint.slotName() + " (resuming on another slot could skip events),"
                            + " or start with --reset-offsets to publish every stored event again from slot " + slotName);
                }
                if (slot != null) {
                    checkSlot(connection, slot);
                }
                String reason = checkpoint == null ? null : untrusted(connection, checkpoint, slot);
                if (reason != null) {
                    throw recovery(connection, checkpoint, reason, slot == null);
                }
            }
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
            checkSlot(connection, slot);
        } catch (SQLException e) {
            throw new BridgeException(PostgresErrors.describe(e), e);
        }
    }

    /** Deletes the bridge's offsets and publish checkpoint, both or neither. */
    private void forgetOffsets(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
        try {
            deleteOffsets(connection);
            checkpoints.delete(connection, bridgeName);
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    /** The slot exists: it must be this database's, decode with pgoutput, be valid and unused. */
    private void checkSlot(Connection connection, ReplicationSlot slot) throws SQLException {
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
        if (failoverSlots(connection)) {
            try (PreparedStatement query = connection.prepareStatement(SqlResource.load("slot_failover"))) {
                query.setString(1, slotName);
                try (ResultSet rs = query.executeQuery()) {
                    if (rs.next() && !rs.getBoolean(1)) {
                        log.warn("Replication slot {} is not a failover slot (it was created before slot.failover, or"
                                + " with it off): a PostgreSQL failover loses it, and a republish follows. See"
                                + " docs/operations.md, 'PostgreSQL failover'.", slotName);
                    }
                }
            }
        }
    }

    /** Whether slots are to be failover slots here: slot.failover, on PostgreSQL 17 or later. */
    private boolean failoverSlots(Connection connection) throws SQLException {
        return failoverSlot && connection.getMetaData().getDatabaseMajorVersion() >= 17;
    }

    /**
     * Why the stored offsets cannot be resumed from, or {@code null} when they can: a recovery
     * already noted, another server or database, or no slot (another slot.name is refused before, in
     * {@link #check}, as a setting to correct).
     */
    private String untrusted(Connection connection, PublishCheckpoints.Checkpoint checkpoint, ReplicationSlot slot)
            throws SQLException {
        if (checkpoint.recoveryPending()) {
            return checkpoint.recoveryReason();
        }
        PublishCheckpoints.Identity here = PublishCheckpoints.identity(connection);
        if (checkpoint.systemIdentifier() != here.systemIdentifier()) {
            return "bridge " + bridgeName + " cannot resume: its offsets in " + schema + ".cdc_offsets were written on"
                    + " another PostgreSQL server (system identifier " + checkpoint.systemIdentifier() + "; this server is "
                    + here.systemIdentifier() + "): the database was restored from a backup, and events committed after"
                    + " the last position Kafka acknowledged may be missing from Kafka.";
        }
        if (!checkpoint.database().equals(here.database())) {
            return "bridge " + bridgeName + " cannot resume: its offsets in " + schema + ".cdc_offsets were written in"
                    + " database " + checkpoint.database() + ", not " + here.database() + " (a copy of the database):"
                    + " events committed after the last position Kafka acknowledged may be missing from Kafka.";
        }
        if (slot == null) {
            return "bridge " + bridgeName + " has offsets in " + schema + ".cdc_offsets but its replication slot "
                    + slotName + " does not exist (dropped, or the database was restored from a backup): events"
                    + " committed since then may be missing from Kafka.";
        }
        return null;
    }

    /**
     * Creates the slot if it is missing, notes the recovery (the first note wins, so every later
     * start gives the same advice) and returns the refusal naming the exact republish.
     */
    private BridgeException recovery(Connection connection, PublishCheckpoints.Checkpoint checkpoint, String reason,
                                     boolean createSlot) throws SQLException {
        long republishFrom = checkpoint.recoveryFromEventId() != null ? checkpoint.recoveryFromEventId()
                : checkpoint.publishedBelowEventId();
        String slotNote;
        if (createSlot) {
            String statement = failoverSlots(connection) ? "create_failover_replication_slot" : "create_replication_slot";
            try (PreparedStatement create = connection.prepareStatement(SqlResource.load(statement))) {
                create.setString(1, slotName);
                create.execute();
                slotNote = "Replication slot " + slotName + " was created now and keeps every change from here on.";
            } catch (SQLException e) {
                slotNote = "Replication slot " + slotName + " could not be created (" + PostgresErrors.describe(e)
                        + "): create it before you republish, SELECT pg_create_logical_replication_slot('" + slotName
                        + "', 'pgoutput'), so that it keeps every change from then on.";
            }
        } else {
            slotNote = "Replication slot " + slotName + " exists and keeps every change since it was created.";
        }
        checkpoints.noteRecovery(connection, bridgeName, reason, republishFrom);
        String republish = "eventstore republish --from-event-id " + republishFrom
                + (schema.value().equals(SchemaName.DEFAULT) ? "" : " --schema " + schema);
        return new BridgeException(reason + " Kafka acknowledged every event with an id below " + republishFrom + ". "
                + slotNote + " Run `" + republish + "` with this bridge's settings (its --config file or EVENTSTORE_*"
                + " environment), then start the bridge with --reset-offsets and snapshot.mode=no_data"
                + " (EVENTSTORE_SNAPSHOT_MODE=no_data): it streams from slot " + slotName + ", so nothing committed"
                + " meanwhile is skipped, and consumers recognise the events they already have by ce_id. (Starting"
                + " with --reset-offsets and snapshot.mode=initial publishes every stored event again instead.)");
    }

    private void requireMigrated(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT to_regclass(?) IS NOT NULL, EXISTS (SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = ?),"
                        + " to_regclass(?) IS NOT NULL")) {
            statement.setString(1, schema.value() + ".cdc_offsets");
            statement.setString(2, publicationName);
            statement.setString(3, schema.value() + ".cdc_checkpoints");
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new BridgeException("schema " + schema + " is not migrated for change data capture"
                            + " (no cdc_offsets table or publication " + publicationName + "): run `eventstore migrate`");
                }
                if (!rs.getBoolean(2)) {
                    // The tables are there but not the publication: a restore of a dump of the schema
                    // alone (publications belong to the database, and pg_dump --schema leaves them out).
                    throw new BridgeException("publication " + publicationName + " does not exist though schema " + schema
                            + " is migrated (restored from a dump of the schema alone?): create it with CREATE PUBLICATION "
                            + publicationName + " FOR TABLE " + schema + ".events, " + schema + ".cdc_heartbeat WITH"
                            + " (publish = 'insert, update, delete')");
                }
                if (!rs.getBoolean(3)) {
                    throw new BridgeException("schema " + schema + " lacks the migration that adds cdc_checkpoints"
                            + " (the database is older than this bridge): run `eventstore migrate` first");
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
