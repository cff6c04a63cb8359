package dev.eventstore;

import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads events: pages of a stream either way, a whole stream as a cursor, and all events by id. */
final class StreamReader {

    private static final Logger log = LoggerFactory.getLogger(StreamReader.class);

    private final DataSource dataSource;
    private final int fetchSize;
    private final String forward;
    private final String backward;
    private final String all;
    private final String checkReadable;
    private final String streamEvents;

    StreamReader(DataSource dataSource, SchemaName schema, int fetchSize) {
        this.dataSource = dataSource;
        this.fetchSize = fetchSize;
        this.forward = SqlResource.load("read_stream_forward", schema);
        this.backward = SqlResource.load("read_stream_backward", schema);
        this.all = SqlResource.load("read_all_forward", schema);
        this.checkReadable = SqlResource.load("check_stream_readable", schema);
        this.streamEvents = SqlResource.load("read_stream_events", schema);
    }

    List<RecordedEvent> readStreamForward(String streamId, long fromVersion, int maxCount) {
        EventValidator.checkStreamId(streamId);
        EventValidator.checkPage("from version", fromVersion, maxCount);
        return page(forward, "read stream forward", streamId, fromVersion, maxCount);
    }

    List<RecordedEvent> readStreamBackward(String streamId, long fromVersion, int maxCount) {
        EventValidator.checkStreamId(streamId);
        EventValidator.checkPage("from version", fromVersion, maxCount);
        return page(backward, "read stream backward", streamId, fromVersion, maxCount);
    }

    List<RecordedEvent> readAllForward(long fromEventId, int maxCount) {
        EventValidator.checkPage("from event id", fromEventId, maxCount);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(all)) {
            statement.setLong(1, fromEventId);
            statement.setInt(2, maxCount);
            return collect(statement, maxCount);
        } catch (SQLException e) {
            throw StoreErrors.translate(e, "read all forward", null, null);
        }
    }

    private List<RecordedEvent> page(String sql, String action, String streamId, long fromVersion, int maxCount) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, streamId);
            statement.setLong(2, fromVersion);
            statement.setInt(3, maxCount);
            List<RecordedEvent> events = collect(statement, maxCount);
            log.debug("Read {} events of stream {} ({} from version {})", events.size(), streamId, action, fromVersion);
            return events;
        } catch (SQLException e) {
            throw StoreErrors.translate(e, action, streamId, null);
        }
    }

    private static List<RecordedEvent> collect(PreparedStatement statement, int maxCount) throws SQLException {
        try (ResultSet rs = statement.executeQuery()) {
            List<RecordedEvent> events = new ArrayList<>(Math.min(maxCount, 1024));
            while (rs.next()) {
                events.add(Rows.event(rs));
            }
            return events;
        }
    }

    /** Calls {@code consumer} for each event from {@code fromVersion} on; returns how many. */
    long forEach(String streamId, long fromVersion, Consumer<? super RecordedEvent> consumer) {
        try (Stream<RecordedEvent> events = stream(streamId, fromVersion)) {
            long[] count = {0};
            events.forEach(event -> {
                consumer.accept(event);
                count[0]++;
            });
            return count[0];
        }
    }

    /**
     * The stream's events as a lazy {@link Stream} over a server-side cursor, on a connection of
     * its own in a read-only REPEATABLE READ transaction (one consistent snapshot). The caller
     * must close it (try-with-resources) to give the connection back.
     */
    Stream<RecordedEvent> stream(String streamId, long fromVersion) {
        EventValidator.checkStreamId(streamId);
        EventValidator.checkPage("from version", fromVersion, 1);
        Connection connection = null;
        PreparedStatement statement = null;
        ResultSet rs = null;
        try {
            connection = dataSource.getConnection();
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (PreparedStatement check = connection.prepareStatement(checkReadable)) {
                check.setString(1, streamId);
                check.executeQuery().close();
            }
            statement = connection.prepareStatement(streamEvents);
            statement.setFetchSize(fetchSize);
            statement.setString(1, streamId);
            statement.setLong(2, fromVersion);
            rs = statement.executeQuery();
        } catch (SQLException e) {
            closeQuietly(rs, statement, connection);
            throw StoreErrors.translate(e, "read stream", streamId, null);
        }
        Cursor cursor = new Cursor(streamId, connection, statement, rs);
        return StreamSupport.stream(cursor, false).onClose(cursor::close);
    }

    private static void closeQuietly(ResultSet rs, PreparedStatement statement, Connection connection) {
        try {
            if (rs != null) {
                rs.close();
            }
            if (statement != null) {
                statement.close();
            }
        } catch (SQLException ignored) {
            // closing after a failure: the first failure is what matters
        }
        if (connection != null) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // as above
            }
            try {
                connection.setReadOnly(false);
                connection.setAutoCommit(true);
            } catch (SQLException ignored) {
                // as above
            }
            try {
                connection.close();
            } catch (SQLException ignored) {
                // as above
            }
        }
    }

    private static final class Cursor extends Spliterators.AbstractSpliterator<RecordedEvent> {

        private final String streamId;
        private final Connection connection;
        private final PreparedStatement statement;
        private final ResultSet rs;
        private boolean closed;

        Cursor(String streamId, Connection connection, PreparedStatement statement, ResultSet rs) {
            super(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL);
            this.streamId = streamId;
            this.connection = connection;
            this.statement = statement;
            this.rs = rs;
        }

        @Override
        public boolean tryAdvance(Consumer<? super RecordedEvent> action) {
            if (closed) {
                return false;
            }
            try {
                if (!rs.next()) {
                    close();
                    return false;
                }
                action.accept(Rows.event(rs));
                return true;
            } catch (SQLException e) {
                close();
                throw StoreErrors.translate(e, "read stream", streamId, null);
            }
        }

        void close() {
            if (!closed) {
                closed = true;
                closeQuietly(rs, statement, connection);
            }
        }
    }
}
