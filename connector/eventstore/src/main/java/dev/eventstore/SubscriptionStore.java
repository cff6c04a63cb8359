package dev.eventstore;

import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscription positions: one row per (subscription, stream), where the subscription id is the
 * Kafka consumer group id. A position only moves forward: recording one whose stream version is
 * not greater than the recorded one changes nothing and returns {@code false}, so duplicates and
 * late, out-of-order writers (the consumer library and the bridge's offset mirror) are harmless.
 *
 * <p>The {@code Connection} overloads write inside the caller's transaction, so that a handler's
 * own writes and its position commit together (exactly-once processing for handlers that write to
 * PostgreSQL).
 */
public final class SubscriptionStore {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionStore.class);

    private final DataSource dataSource;
    private final String record;
    private final String positions;
    private final String position;
    private final String delete;
    private final String partitionPositions;

    SubscriptionStore(DataSource dataSource, SchemaName schema) {
        this.dataSource = dataSource;
        this.record = SqlResource.load("record_subscription_position", schema);
        this.positions = SqlResource.load("subscription_positions", schema);
        this.position = SqlResource.load("subscription_position", schema);
        this.delete = SqlResource.load("delete_subscription", schema);
        this.partitionPositions = SqlResource.load("subscription_partition_positions", schema);
    }

    /**
     * Records that {@code subscriptionId} has seen the event at {@code streamVersion} (id
     * {@code eventId}) of {@code streamId}.
     *
     * @param metadata a JSON object (e.g. {@code {"topic":"eventstore.game","partition":3,"offset":1234}}), or {@code null}
     * @return {@code true} if the position moved forward or was created, {@code false} if the
     *     recorded position was already at or past {@code streamVersion}
     * @throws StreamNotFoundException if the stream does not exist
     * @throws InvalidRequestException for an invalid id, a version or event id below 1, or metadata
     *     that is not a JSON object
     */
    public boolean recordPosition(String subscriptionId, String streamId, long eventId, long streamVersion, String metadata) {
        check(subscriptionId, streamId, eventId, streamVersion, metadata);
        try (Connection connection = dataSource.getConnection()) {
            return record(connection, subscriptionId, streamId, eventId, streamVersion, metadata);
        } catch (SQLException e) {
            throw StoreErrors.translate(e, "record subscription position", streamId, null);
        }
    }

    /** {@link #recordPosition(String, String, long, long, String)} on the caller's connection and transaction. */
    public boolean recordPosition(Connection connection, String subscriptionId, String streamId, long eventId,
                                  long streamVersion, String metadata) {
        check(subscriptionId, streamId, eventId, streamVersion, metadata);
        try {
            return record(connection, subscriptionId, streamId, eventId, streamVersion, metadata);
        } catch (SQLException e) {
            throw StoreErrors.translate(e, "record subscription position", streamId, null);
        }
    }

    /** Records the position of {@code event}: its id and stream version. */
    public boolean recordPosition(String subscriptionId, RecordedEvent event, String metadata) {
        return recordPosition(subscriptionId, event.streamId(), event.eventId(), event.streamVersion(), metadata);
    }

    private static void check(String subscriptionId, String streamId, long eventId, long streamVersion, String metadata) {
        EventValidator.checkSubscriptionId(subscriptionId);
        EventValidator.checkStreamId(streamId);
        if (eventId < 1 || streamVersion < 1) {
            throw new InvalidRequestException("invalid subscription position: event id " + eventId
                    + " and stream version " + streamVersion + " must be 1 or more");
        }
        if (metadata != null) {
            String problem = EventValidator.jsonProblem(metadata, "subscription metadata", true);
            if (problem != null) {
                throw new InvalidRequestException("invalid subscription position for " + Text.quote(subscriptionId) + ": " + problem);
            }
        }
    }

    private boolean record(Connection connection, String subscriptionId, String streamId, long eventId,
                           long streamVersion, String metadata) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(record)) {
            statement.setString(1, subscriptionId);
            statement.setString(2, streamId);
            statement.setLong(3, eventId);
            statement.setLong(4, streamVersion);
            if (metadata == null) {
                statement.setNull(5, Types.VARCHAR);
            } else {
                statement.setString(5, metadata);
            }
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                boolean moved = rs.getBoolean(1);
                log.debug("Subscription {} position in stream {} {} version {}", subscriptionId, streamId,
                        moved ? "moved to" : "already at or past", streamVersion);
                return moved;
            }
        }
    }

    /** Every recorded position of {@code subscriptionId}, by stream id; empty if none. */
    public List<SubscriptionPosition> positions(String subscriptionId) {
        EventValidator.checkSubscriptionId(subscriptionId);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(positions)) {
            statement.setString(1, subscriptionId);
            try (ResultSet rs = statement.executeQuery()) {
                List<SubscriptionPosition> result = new ArrayList<>();
                while (rs.next()) {
                    result.add(row(rs));
                }
                return result;
            }
        } catch (SQLException e) {
            throw StoreErrors.translate(e, "read subscription positions", null, null);
        }
    }

    /** The position of {@code subscriptionId} in {@code streamId}, if one is recorded. */
    public Optional<SubscriptionPosition> position(String subscriptionId, String streamId) {
        EventValidator.checkSubscriptionId(subscriptionId);
        EventValidator.checkStreamId(streamId);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(position)) {
            statement.setString(1, subscriptionId);
            statement.setString(2, streamId);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw StoreErrors.translate(e, "read subscription position", streamId, null);
        }
    }

    private static SubscriptionPosition row(ResultSet rs) throws SQLException {
        return new SubscriptionPosition(
                rs.getString("subscription_id"),
                rs.getString("stream_id"),
                Rows.nullableLong(rs, "last_seen_event_id"),
                Rows.nullableLong(rs, "last_seen_stream_version"),
                rs.getString("metadata"),
                Rows.instant(rs, "created_at"),
                Rows.instant(rs, "updated_at"));
    }

    /**
     * Where {@code subscriptionId} resumes on each Kafka topic-partition it has recorded: for each
     * (topic, partition) found in its rows' metadata, the highest recorded offset plus one. Rows
     * without a topic, partition and offset in their metadata are left out. Empty if none.
     * By topic, then partition.
     *
     * @throws InvalidRequestException for an invalid subscription id
     */
    public List<PartitionPosition> partitionPositions(String subscriptionId) {
        EventValidator.checkSubscriptionId(subscriptionId);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(partitionPositions)) {
            statement.setString(1, subscriptionId);
            try (ResultSet rs = statement.executeQuery()) {
                List<PartitionPosition> result = new ArrayList<>();
                while (rs.next()) {
                    result.add(new PartitionPosition(rs.getString("topic"), rs.getInt("kafka_partition"),
                            rs.getLong("next_offset"), rs.getLong("streams"), Rows.instant(rs, "updated_at")));
                }
                return result;
            }
        } catch (SQLException e) {
            throw StoreErrors.translate(e, "read subscription partition positions", null, null);
        }
    }

    /** Deletes every position of {@code subscriptionId}; returns how many. */
    public int deleteSubscription(String subscriptionId) {
        return deleteSubscription(subscriptionId, null);
    }

    /** Deletes the position of {@code subscriptionId} in {@code streamId} (every stream when {@code null}); returns how many. */
    public int deleteSubscription(String subscriptionId, String streamId) {
        EventValidator.checkSubscriptionId(subscriptionId);
        if (streamId != null) {
            EventValidator.checkStreamId(streamId);
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(delete)) {
            statement.setString(1, subscriptionId);
            statement.setString(2, streamId);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                int deleted = rs.getInt(1);
                log.info("Subscription {} deleted ({} positions)", subscriptionId, deleted);
                return deleted;
            }
        } catch (SQLException e) {
            throw StoreErrors.translate(e, "delete subscription", streamId, null);
        }
    }
}
