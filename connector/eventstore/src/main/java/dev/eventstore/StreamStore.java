package dev.eventstore;

import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Streams as a whole: their row in {@code event_streams}, and soft delete. */
final class StreamStore {

    private static final Logger log = LoggerFactory.getLogger(StreamStore.class);

    private final DataSource dataSource;
    private final String info;
    private final String delete;

    StreamStore(DataSource dataSource, SchemaName schema) {
        this.dataSource = dataSource;
        this.info = SqlResource.load("stream_info", schema);
        this.delete = SqlResource.load("delete_stream", schema);
    }

    Optional<StreamInfo> streamInfo(String streamId) {
        EventValidator.checkStreamId(streamId);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(info)) {
            statement.setString(1, streamId);
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new StreamInfo(
                        rs.getString("stream_id"),
                        rs.getLong("stream_version"),
                        Rows.instant(rs, "created_at"),
                        Rows.instant(rs, "updated_at"),
                        Rows.instant(rs, "deleted_at"),
                        rs.getString("metadata")));
            }
        } catch (SQLException e) {
            throw StoreErrors.translate(e, "stream info", streamId, null);
        }
    }

    Instant deleteStream(String streamId, ExpectedVersion expected) {
        EventValidator.checkStreamId(streamId);
        EventValidator.checkExpectedVersion(expected);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(delete)) {
            statement.setString(1, streamId);
            statement.setLong(2, expected.sqlValue());
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                Instant deletedAt = Rows.instant(rs, 1);
                log.info("Stream {} soft-deleted at {}", streamId, deletedAt);
                return deletedAt;
            }
        } catch (SQLException e) {
            throw StoreErrors.translate(e, "delete stream", streamId, expected);
        }
    }
}
