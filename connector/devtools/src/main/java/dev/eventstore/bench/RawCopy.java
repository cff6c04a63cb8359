package dev.eventstore.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.eventstore.EventData;
import dev.eventstore.RecordedEvent;
import dev.eventstore.schema.SchemaName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The ceiling: the same tables with the same indexes as the store, in a schema of their own,
 * written and read with plain JDBC as an application that skips the store would. The
 * difference between ours and this is exactly the store's functions (validation, the stream
 * row's lock and version, the returned ids) and nothing about the table.
 *
 * <p>What the ceiling does not do, to be fair to it: it keeps no stream version (the caller
 * knows the next one; the unique index still refuses a duplicate), and the stream rows the
 * foreign key needs are created before the measurement.
 */
final class RawCopy {

    private final HikariDataSource pool;
    private final SchemaName store;
    private final SchemaName raw;
    private final String insertEvent;
    private final String advanceAndInsert;
    private final String readStream;

    RawCopy(HikariDataSource pool, SchemaName store, SchemaName raw) {
        this.pool = pool;
        this.store = store;
        this.raw = raw;
        this.insertEvent = sql(BenchSql.RAW_INSERT_EVENT);
        this.advanceAndInsert = sql(BenchSql.RAW_ADVANCE_AND_INSERT);
        this.readStream = sql(BenchSql.RAW_READ_STREAM);
    }

    private String sql(String template) {
        return BenchSql.in(BenchSql.in(template, "raw", raw), "store", store);
    }

    /** Creates the copy schema from the migrated store; returns its index definitions. */
    List<String> create() throws SQLException {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(BenchSql.in(BenchSql.DROP_SCHEMA, "schema", raw));
            statement.execute(sql(BenchSql.RAW_CREATE));
        }
        List<String> ours = indexes(store);
        List<String> copy = indexes(raw);
        if (!ours.equals(copy)) {
            throw new IllegalStateException("the raw copy's indexes " + copy + " differ from the store's " + ours);
        }
        return copy;
    }

    private List<String> indexes(SchemaName schema) throws SQLException {
        List<String> definitions = new ArrayList<>();
        try (Connection connection = pool.getConnection();
             PreparedStatement statement = connection.prepareStatement(BenchSql.EVENT_INDEXES)) {
            statement.setString(1, schema.value());
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    definitions.add(rs.getString(1));
                }
            }
        }
        return definitions;
    }

    void drop() throws SQLException {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(BenchSql.in(BenchSql.DROP_SCHEMA, "schema", raw));
        }
    }

    void truncate() throws SQLException {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql(BenchSql.RAW_TRUNCATE));
        }
    }

    /** Creates the stream rows the events' foreign key needs (set-up, not measured). */
    void createStreams(List<String> streamIds) throws SQLException {
        try (Connection connection = pool.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql(BenchSql.RAW_CREATE_STREAMS))) {
            statement.setArray(1, connection.createArrayOf("text", streamIds.toArray()));
            statement.executeUpdate();
        }
    }

    /** Copies a stream of the store, ids and all, so that both read the same rows. */
    void copyStream(String streamId) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            for (String template : List.of(BenchSql.RAW_COPY_STREAM_ROW, BenchSql.RAW_COPY_STREAM_EVENTS)) {
                try (PreparedStatement statement = connection.prepareStatement(sql(template))) {
                    statement.setString(1, streamId);
                    statement.executeUpdate();
                }
            }
        }
    }

    /**
     * {@code events} as versions {@code firstVersion}, ... of {@code streamId}: one JDBC batch
     * (addBatch/executeBatch) in one transaction, one commit.
     */
    void insertBatch(String streamId, long firstVersion, List<EventData> events) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection.prepareStatement(insertEvent)) {
                for (int i = 0; i < events.size(); i++) {
                    bind(statement, streamId, firstVersion + i, events.get(i));
                    statement.addBatch();
                }
                statement.executeBatch();
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    /** One event, one INSERT, autocommit. */
    void insert(String streamId, long version, EventData event) throws SQLException {
        try (Connection connection = pool.getConnection();
             PreparedStatement statement = connection.prepareStatement(insertEvent)) {
            bind(statement, streamId, version, event);
            statement.executeUpdate();
        }
    }

    /**
     * One event the way an append must write it, in plain SQL: the stream's row advanced from
     * {@code expected} and the event inserted ({@link BenchSql#RAW_ADVANCE_AND_INSERT}).
     *
     * @throws IllegalStateException if the stream's version was not {@code expected}
     */
    void advanceAndInsert(String streamId, long expected, EventData event) throws SQLException {
        try (Connection connection = pool.getConnection();
             PreparedStatement statement = connection.prepareStatement(advanceAndInsert)) {
            bind(statement, streamId, expected, event);
            if (statement.executeUpdate() != 1) {
                throw new IllegalStateException("stream " + streamId + " was not at version " + expected);
            }
        }
    }

    private static void bind(PreparedStatement statement, String streamId, long version, EventData event)
            throws SQLException {
        statement.setString(1, streamId);
        statement.setLong(2, version);
        statement.setString(3, event.eventType());
        statement.setInt(4, event.eventVersion());
        statement.setString(5, event.data());
        statement.setString(6, event.metadata());
    }

    /** A page of a stream as the library's reader returns it. */
    List<RecordedEvent> read(String streamId, long fromVersion, int maxCount) throws SQLException {
        try (Connection connection = pool.getConnection();
             PreparedStatement statement = connection.prepareStatement(readStream)) {
            statement.setString(1, streamId);
            statement.setLong(2, fromVersion);
            statement.setInt(3, maxCount);
            List<RecordedEvent> events = new ArrayList<>(Math.min(maxCount, 1024));
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    // As the library's reader maps a row: by position, the timestamp as UTC.
                    java.time.LocalDateTime created = rs.getObject(8, java.time.LocalDateTime.class);
                    events.add(new RecordedEvent(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                            rs.getInt(5), rs.getString(6), rs.getString(7),
                            created == null ? null : created.toInstant(java.time.ZoneOffset.UTC)));
                }
            }
            return events;
        }
    }
}
