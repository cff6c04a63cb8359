package dev.eventstore.admin;

import dev.eventstore.RecordedEvent;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Reads stored events page by page (keyset pagination, so memory stays flat and the read can
 * run beside live appends), in event id order, or in version order for one stream.
 */
final class StoredEvents {

    static final int PAGE = 5_000;

    private final DataSource dataSource;
    private final SchemaName schema;

    StoredEvents(DataSource dataSource, SchemaName schema) {
        this.dataSource = dataSource;
        this.schema = schema;
    }

    /** Calls {@code each} for every selected event; returns how many. */
    long forEach(EventSelection selection, Consumer<RecordedEvent> each) throws SQLException {
        long count = 0;
        try (Connection connection = dataSource.getConnection()) {
            if (selection.streamId() != null) {
                // Each page in a transaction of its own that keeps it on the stream's index.
                connection.setAutoCommit(false);
                try (PreparedStatement followIndex = connection.prepareStatement(SqlResource.load("follow_stream_index", schema));
                     PreparedStatement page = connection.prepareStatement(SqlResource.load("select_stream_events_page", schema))) {
                    long after = 0;
                    while (true) {
                        followIndex.executeQuery().close();
                        page.setString(1, selection.streamId());
                        page.setLong(2, after);
                        page.setInt(3, PAGE);
                        int rows = 0;
                        try (ResultSet rs = page.executeQuery()) {
                            while (rs.next()) {
                                RecordedEvent event = event(rs);
                                each.accept(event);
                                after = event.streamVersion();
                                rows++;
                            }
                        }
                        connection.commit();
                        count += rows;
                        if (rows < PAGE) {
                            return count;
                        }
                    }
                } finally {
                    connection.rollback();
                    connection.setAutoCommit(true);
                }
            }
            try (PreparedStatement page = connection.prepareStatement(SqlResource.load("select_events_page", schema))) {
                long after = selection.fromEventId() == null ? 0 : selection.fromEventId() - 1;
                while (true) {
                    page.setLong(1, after);
                    if (selection.category() == null) {
                        page.setNull(2, Types.VARCHAR);
                        page.setNull(3, Types.VARCHAR);
                    } else {
                        page.setString(2, selection.category());
                        page.setString(3, selection.category());
                    }
                    page.setInt(4, PAGE);
                    int rows = 0;
                    try (ResultSet rs = page.executeQuery()) {
                        while (rs.next()) {
                            RecordedEvent event = event(rs);
                            each.accept(event);
                            after = event.eventId();
                            rows++;
                        }
                    }
                    count += rows;
                    if (rows < PAGE) {
                        return count;
                    }
                }
            }
        }
    }

    /** How many events {@link #forEach} would visit (at the time of asking). */
    long count(EventSelection selection) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement count = connection.prepareStatement(SqlResource.load("count_selected_events", schema))) {
            count.setLong(1, selection.fromEventId() == null ? 0 : selection.fromEventId());
            count.setString(2, selection.streamId());
            count.setString(3, selection.streamId());
            count.setString(4, selection.category());
            count.setString(5, selection.category());
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static RecordedEvent event(ResultSet rs) throws SQLException {
        LocalDateTime createdAt = rs.getObject("created_at", LocalDateTime.class);
        return new RecordedEvent(rs.getLong("event_id"), rs.getString("stream_id"), rs.getLong("stream_version"),
                rs.getString("event_type"), rs.getInt("event_version"), rs.getString("data"), rs.getString("metadata"),
                createdAt.toInstant(ZoneOffset.UTC));
    }
}
