package dev.eventstore.bridge;

import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;

/**
 * The {@code cdc_checkpoints} table: on which server, database and slot a bridge's offsets were
 * written, and the low watermark of event ids Kafka had acknowledged there (see
 * {@link PublishedWatermark}). {@link Preflight} reads it to tell a restore or a lost slot from a
 * normal restart, and to name the exact {@code eventstore republish} to run.
 */
final class PublishCheckpoints {

    /** Which server and database a connection is on. */
    record Identity(long systemIdentifier, String database) {
    }

    /** A row of {@code cdc_checkpoints}. */
    record Checkpoint(String bridgeName, long systemIdentifier, String database, String slotName, String acknowledgedLsn,
                      long publishedBelowEventId, String recoveryReason, Long recoveryFromEventId) {

        boolean recoveryPending() {
            return recoveryReason != null;
        }
    }

    private final SchemaName schema;

    PublishCheckpoints(SchemaName schema) {
        this.schema = schema;
    }

    static Identity identity(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(SqlResource.load("select_system_identity"))) {
            rs.next();
            return new Identity(rs.getLong("system_identifier"), rs.getString("database_name"));
        }
    }

    Checkpoint find(Connection connection, String bridgeName) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(SqlResource.load("select_cdc_checkpoint", schema))) {
            query.setString(1, bridgeName);
            try (ResultSet rs = query.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                long from = rs.getLong("recovery_from_event_id");
                Long recoveryFrom = rs.wasNull() ? null : from;
                return new Checkpoint(rs.getString("bridge_name"), rs.getLong("system_identifier"),
                        rs.getString("database_name"), rs.getString("slot_name"), rs.getString("acknowledged_lsn"),
                        rs.getLong("published_below_event_id"), rs.getString("recovery_reason"), recoveryFrom);
            }
        }
    }

    void upsert(Connection connection, String bridgeName, Identity identity, String slotName, String acknowledgedLsn,
                long publishedBelowEventId) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement(SqlResource.load("upsert_cdc_checkpoint", schema))) {
            upsert.setString(1, bridgeName);
            upsert.setLong(2, identity.systemIdentifier());
            upsert.setString(3, identity.database());
            upsert.setString(4, slotName);
            if (acknowledgedLsn == null) {
                upsert.setNull(5, Types.VARCHAR);
            } else {
                upsert.setString(5, acknowledgedLsn);
            }
            upsert.setLong(6, Math.max(1, publishedBelowEventId));
            upsert.executeUpdate();
        }
    }

    void noteRecovery(Connection connection, String bridgeName, String reason, long republishFrom) throws SQLException {
        try (PreparedStatement note = connection.prepareStatement(SqlResource.load("note_cdc_recovery", schema))) {
            note.setString(1, reason);
            note.setLong(2, republishFrom);
            note.setString(3, bridgeName);
            note.executeUpdate();
        }
    }

    void delete(Connection connection, String bridgeName) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(SqlResource.load("delete_cdc_checkpoint", schema))) {
            delete.setString(1, bridgeName);
            delete.executeUpdate();
        }
    }

    /** A WAL position {@code X/Y} as an unsigned 64-bit number ({@code null}: -1). */
    static long lsn(String text) {
        if (text == null || text.isBlank()) {
            return -1;
        }
        int slash = text.indexOf('/');
        return (Long.parseUnsignedLong(text.substring(0, slash), 16) << 32) | Long.parseUnsignedLong(text.substring(slash + 1), 16);
    }
}
