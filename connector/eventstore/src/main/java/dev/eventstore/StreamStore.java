package dev.eventstore;

import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Streams as a whole: their row in {@code event_streams}, their metadata, and soft delete. */
final class StreamStore {

    private static final Logger log = LoggerFactory.getLogger(StreamStore.class);

    /** Most streams one call of {@link #findByMetadata} returns. */
    static final int MAX_FIND_COUNT = 10_000;

    private final DataSource dataSource;
    private final String info;
    private final String delete;
    private final String setMetadata;
    private final String findByMetadata;

    StreamStore(DataSource dataSource, SchemaName schema) {
        this.dataSource = dataSource;
        this.info = SqlResource.load("stream_info", schema);
        this.delete = SqlResource.load("delete_stream", schema);
        this.setMetadata = SqlResource.load("set_stream_metadata", schema);
        this.findByMetadata = SqlResource.load("find_streams_by_metadata", schema);
    }

    Optional<StreamInfo> streamInfo(String streamId) {
        EventValidator.checkStreamId(streamId);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(info)) {
            statement.setString(1, streamId);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? Optional.of(info(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw StoreErrors.translate(e, "stream info", streamId, null);
        }
    }

    private static StreamInfo info(ResultSet rs) throws SQLException {
        return new StreamInfo(
                rs.getString("stream_id"),
                rs.getLong("stream_version"),
                Rows.instant(rs, "created_at"),
                Rows.instant(rs, "updated_at"),
                Rows.instant(rs, "deleted_at"),
                rs.getString("metadata"));
    }

    /** Replaces ({@code merge} false) or merges the stream's metadata; returns what it now holds. */
    String writeMetadata(String streamId, String metadata, boolean merge) {
        EventValidator.checkStreamId(streamId);
        checkMetadataObject(metadata, "stream metadata");
        String action = merge ? "merge stream metadata" : "set stream metadata";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(setMetadata)) {
            statement.setString(1, streamId);
            statement.setString(2, metadata);
            statement.setBoolean(3, merge);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                String stored = rs.getString(1);
                log.debug("Stream {}: metadata {}", streamId, merge ? "merged" : "set");
                return stored;
            }
        } catch (SQLException e) {
            throw StoreErrors.translate(e, action, streamId, null);
        }
    }

    /** Streams not deleted whose metadata contains {@code containment}, by stream id, after {@code afterStreamId}. */
    List<StreamInfo> findByMetadata(String containment, String afterStreamId, int maxCount) {
        checkMetadataObject(containment, "metadata to find");
        if (afterStreamId != null) {
            EventValidator.checkStreamId(afterStreamId);
        }
        if (maxCount < 1 || maxCount > MAX_FIND_COUNT) {
            throw new InvalidRequestException("invalid max count " + maxCount + ": must be 1 to " + MAX_FIND_COUNT);
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(findByMetadata)) {
            statement.setString(1, containment);
            statement.setString(2, afterStreamId == null ? "" : afterStreamId);
            statement.setInt(3, maxCount);
            List<StreamInfo> found = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    found.add(info(rs));
                }
            }
            return found;
        } catch (SQLException e) {
            throw StoreErrors.translate(e, "find streams by metadata", null, null);
        }
    }

    private static void checkMetadataObject(String json, String what) {
        if (json == null) {
            throw new InvalidRequestException("the " + what + " is missing: give a JSON object");
        }
        String problem = EventValidator.jsonProblem(json, what, true);
        if (problem != null) {
            throw new InvalidRequestException(problem);
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
