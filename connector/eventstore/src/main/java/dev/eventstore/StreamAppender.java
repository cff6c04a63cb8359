package dev.eventstore;

import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends batches with one statement each: the batch travels as parallel arrays (types, versions,
 * data, metadata) to {@code append_to_stream}, which unnests them in one INSERT. Arrays are one
 * bind parameter each, so a batch of any size stays within the protocol's 65,535 parameters.
 *
 * <p>One event takes {@code append_event} ({@code append_event.sql}), one round trip: on a stream
 * that exists at the expected version it advances the stream's row and inserts the event in one
 * statement, and otherwise it calls {@code append_to_stream}, so every append error keeps its
 * one source and wording. Both functions run with the schema owner's rights: the writer role
 * has no INSERT or UPDATE on the tables, so an event id, a version or a timestamp is never the
 * caller's choice.
 *
 * <p>A batch whose events carry client-chosen ids goes through {@link IdempotentAppends}.
 */
final class StreamAppender {

    private static final Logger log = LoggerFactory.getLogger(StreamAppender.class);

    private final DataSource dataSource;
    private final EventValidator validator;
    private final String sql;
    private final String oneEventSql;
    private final IdempotentAppends idempotent;

    StreamAppender(DataSource dataSource, SchemaName schema, EventValidator validator) {
        this.dataSource = dataSource;
        this.validator = validator;
        this.sql = SqlResource.load("append_to_stream", schema);
        this.oneEventSql = SqlResource.load("append_event", schema);
        this.idempotent = new IdempotentAppends(schema);
    }

    AppendResult append(String streamId, ExpectedVersion expected, List<EventData> events) {
        validator.checkAppend(streamId, expected, events);
        try (Connection connection = dataSource.getConnection()) {
            return append(connection, streamId, expected, events);
        } catch (SQLException e) {
            throw StoreErrors.translate(e, "append", streamId, expected);
        }
    }

    /** Appends on the caller's connection, inside the caller's transaction if one is open. */
    AppendResult appendOn(Connection connection, String streamId, ExpectedVersion expected, List<EventData> events) {
        validator.checkAppend(streamId, expected, events);
        try {
            return append(connection, streamId, expected, events);
        } catch (SQLException e) {
            throw StoreErrors.translate(e, "append", streamId, expected);
        }
    }

    private AppendResult append(Connection connection, String streamId, ExpectedVersion expected, List<EventData> events)
            throws SQLException {
        List<String> uuids = EventUuids.of(streamId, events);
        if (uuids != null) {
            return idempotent.append(connection, streamId, expected, events, uuids,
                    (on, effective) -> appendPlain(on, streamId, effective, events));
        }
        return appendPlain(connection, streamId, expected, events);
    }

    private AppendResult appendPlain(Connection connection, String streamId, ExpectedVersion expected,
                                     List<EventData> events) throws SQLException {
        if (events.size() == 1) {
            return appendOne(connection, streamId, expected, events.get(0));
        }
        return appendToStream(connection, streamId, expected, events);
    }

    /** One event, one call of {@code append_event}. */
    private AppendResult appendOne(Connection connection, String streamId, ExpectedVersion expected, EventData event)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(oneEventSql)) {
            statement.setString(1, streamId);
            statement.setLong(2, expected.sqlValue());
            statement.setString(3, event.eventType());
            statement.setInt(4, event.eventVersion());
            statement.setString(5, event.data());
            statement.setString(6, event.metadata());
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                long id = rs.getLong(1);
                long version = rs.getLong(2);
                log.debug("Appended 1 event to stream {} (version {}, expected {})", streamId, version, expected);
                if (log.isTraceEnabled()) {
                    log.trace("Appended {}@{} {} data={} metadata={}", streamId, version, event.eventType(), event.data(),
                            event.metadata());
                }
                return new AppendResult(streamId, version, version, List.of(id));
            }
        }
    }

    private AppendResult appendToStream(Connection connection, String streamId, ExpectedVersion expected,
            List<EventData> events) throws SQLException {
        int n = events.size();
        String[] types = new String[n];
        Integer[] versions = new Integer[n];
        String[] data = new String[n];
        String[] metadata = new String[n];
        boolean anyMetadata = false;
        for (int i = 0; i < n; i++) {
            EventData event = events.get(i);
            types[i] = event.eventType();
            versions[i] = event.eventVersion();
            data[i] = event.data();
            metadata[i] = event.metadata();
            anyMetadata |= event.metadata() != null;
        }
        Array typesArray = connection.createArrayOf("text", types);
        Array versionsArray = connection.createArrayOf("int4", versions);
        Array dataArray = connection.createArrayOf("jsonb", data);
        Array metadataArray = anyMetadata ? connection.createArrayOf("jsonb", metadata) : null;
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, streamId);
            statement.setLong(2, expected.sqlValue());
            statement.setArray(3, typesArray);
            statement.setArray(4, versionsArray);
            statement.setArray(5, dataArray);
            if (metadataArray == null) {
                statement.setNull(6, Types.ARRAY, "jsonb[]");
            } else {
                statement.setArray(6, metadataArray);
            }
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                long first = rs.getLong(1);
                long last = rs.getLong(2);
                Long[] ids = (Long[]) rs.getArray(3).getArray();
                AppendResult result = new AppendResult(streamId, first, last, Arrays.asList(ids));
                log.debug("Appended {} events to stream {} (versions {} to {}, expected {})", n, streamId, first, last, expected);
                if (log.isTraceEnabled()) {
                    for (int i = 0; i < n; i++) {
                        log.trace("Appended {}@{} {} data={} metadata={}", streamId, first + i, types[i], data[i], metadata[i]);
                    }
                }
                return result;
            }
        } finally {
            typesArray.free();
            versionsArray.free();
            dataArray.free();
            if (metadataArray != null) {
                metadataArray.free();
            }
        }
    }
}
