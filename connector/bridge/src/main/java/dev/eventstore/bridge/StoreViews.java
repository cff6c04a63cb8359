package dev.eventstore.bridge;

import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the monitoring views of the migrations ({@code R__2_view_<name>.sql}):
 * the one definition of each number that {@code eventstore status}, the bridge's
 * {@code /metrics} and an operator's dashboard share. Each method runs one query on the
 * caller's connection.
 */
public final class StoreViews {

    /** SQLSTATE undefined_table: the schema predates the monitoring views. */
    private static final String UNDEFINED_TABLE = "42P01";

    /** A row of {@code monitor_replication_slots}. */
    public record SlotState(String slotName, String plugin, boolean active, Integer activePid, String walStatus,
                            long retainedWalBytes, long unconfirmedWalBytes, Long safeWalSize, String restartLsn,
                            String confirmedFlushLsn, boolean storeDefaultSlot, String publication, String bridgeName) {
    }

    /** A row of {@code monitor_events_per_hour}. */
    public record EventsPerHour(Instant hour, String category, long events) {
    }

    /** A row of {@code monitor_streams_per_category}. */
    public record CategoryStreams(String category, long streams, long deletedStreams, long events,
                                  long largestStreamEvents, double averageStreamEvents, Instant lastUpdatedAt) {
    }

    /** A row of {@code monitor_subscription_lag}. */
    public record SubscriptionLag(String subscriptionId, String category, Instant followingSince, long streamsRecorded,
                                  long streamsBehind, long eventsBehind, Instant lastRecordedAt,
                                  Instant oldestUnprocessedAt, double lagSeconds) {
    }

    /** A row of {@code monitor_largest_streams}. */
    public record LargestStream(String streamId, String category, long events, Instant createdAt, Instant updatedAt,
                                Instant deletedAt) {
    }

    /** A row of {@code monitor_table_sizes}. */
    public record TableSize(String tableName, long totalBytes, long tableBytes, long indexBytes, long estimatedRows) {
    }

    private final SchemaName schema;

    public StoreViews(SchemaName schema) {
        this.schema = schema;
    }

    /** Every logical slot of the store's database. */
    public List<SlotState> slots(Connection connection) throws SQLException {
        return query(connection, "monitor_replication_slots", null, StoreViews::slot);
    }

    /** One slot of the store's database, if it exists. */
    public Optional<SlotState> slot(Connection connection, String slotName) throws SQLException {
        return query(connection, "monitor_replication_slot", slotName, StoreViews::slot).stream().findFirst();
    }

    public List<EventsPerHour> eventsPerHour(Connection connection) throws SQLException {
        return query(connection, "monitor_events_per_hour", null,
                rs -> new EventsPerHour(instant(rs, "hour"), rs.getString("category"), rs.getLong("events")));
    }

    public List<CategoryStreams> streamsPerCategory(Connection connection) throws SQLException {
        return query(connection, "monitor_streams_per_category", null, rs -> new CategoryStreams(rs.getString("category"),
                rs.getLong("streams"), rs.getLong("deleted_streams"), rs.getLong("events"),
                rs.getLong("largest_stream_events"), decimal(rs, "average_stream_events"), instant(rs, "last_updated_at")));
    }

    public List<SubscriptionLag> subscriptionLag(Connection connection) throws SQLException {
        return query(connection, "monitor_subscription_lag", null, rs -> new SubscriptionLag(rs.getString("subscription_id"),
                rs.getString("category"), instant(rs, "following_since"), rs.getLong("streams_recorded"),
                rs.getLong("streams_behind"), rs.getLong("events_behind"), instant(rs, "last_recorded_at"),
                instant(rs, "oldest_unprocessed_at"), rs.getDouble("lag_seconds")));
    }

    /** The {@code limit} largest streams (at most the view's 100). */
    public List<LargestStream> largestStreams(Connection connection, int limit) throws SQLException {
        return query(connection, "monitor_largest_streams", limit, rs -> new LargestStream(rs.getString("stream_id"),
                rs.getString("category"), rs.getLong("events"), instant(rs, "created_at"), instant(rs, "updated_at"),
                instant(rs, "deleted_at")));
    }

    public List<TableSize> tableSizes(Connection connection) throws SQLException {
        return query(connection, "monitor_table_sizes", null, rs -> new TableSize(rs.getString("table_name"),
                rs.getLong("total_bytes"), rs.getLong("table_bytes"), rs.getLong("index_bytes"), rs.getLong("estimated_rows")));
    }

    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(Connection connection, String sql, Object parameter, RowMapper<T> mapper) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(SqlResource.load(sql, schema))) {
            if (parameter != null) {
                statement.setObject(1, parameter);
            }
            List<T> rows = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    rows.add(mapper.map(rs));
                }
            }
            return rows;
        } catch (SQLException e) {
            if (UNDEFINED_TABLE.equals(e.getSQLState())) {
                throw new SQLException("schema " + schema + " has no monitoring views (" + PostgresErrors.describe(e)
                        + "): run `eventstore migrate`", e.getSQLState(), e);
            }
            throw e;
        }
    }

    private static SlotState slot(ResultSet rs) throws SQLException {
        int pid = rs.getInt("active_pid");
        Integer activePid = rs.wasNull() ? null : pid;
        long safe = rs.getLong("safe_wal_size");
        Long safeWalSize = rs.wasNull() ? null : safe;
        return new SlotState(rs.getString("slot_name"), rs.getString("plugin"), rs.getBoolean("active"), activePid,
                rs.getString("wal_status"), rs.getLong("retained_wal_bytes"), rs.getLong("unconfirmed_wal_bytes"),
                safeWalSize, rs.getString("restart_lsn"), rs.getString("confirmed_flush_lsn"),
                rs.getBoolean("store_default_slot"), rs.getString("publication"), rs.getString("bridge_name"));
    }

    /** A {@code timestamp} column, which the store always writes as UTC. */
    static Instant instant(ResultSet rs, String column) throws SQLException {
        LocalDateTime value = rs.getObject(column, LocalDateTime.class);
        return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }

    private static double decimal(ResultSet rs, String column) throws SQLException {
        BigDecimal value = rs.getBigDecimal(column);
        return value == null ? 0 : value.doubleValue();
    }
}
