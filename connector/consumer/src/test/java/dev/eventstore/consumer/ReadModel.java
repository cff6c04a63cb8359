package dev.eventstore.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.RecordedEvent;
import dev.eventstore.simulation.GuessProcessed;
import dev.eventstore.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tests' read model, kept by a {@link CheckpointingSubscriber} in the event store's database: a
 * leaderboard (points per player) and a log of every application of an event, with no unique
 * constraint, so that an event applied twice shows as two rows rather than as a handler failure.
 */
final class ReadModel implements EventHandler {

    static final String SCHEMA = "consumer_read_model";

    private final String instance;

    ReadModel(String instance) {
        this.instance = instance;
    }

    static void recreate(TestDatabase database) {
        database.execute(
                "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE",
                "CREATE SCHEMA " + SCHEMA,
                "CREATE TABLE " + SCHEMA + ".applied (seq bigserial PRIMARY KEY, stream_id text NOT NULL,"
                        + " stream_version bigint NOT NULL, event_id bigint NOT NULL, instance text NOT NULL,"
                        + " topic text NOT NULL, kafka_partition int NOT NULL, kafka_offset bigint NOT NULL)",
                "CREATE TABLE " + SCHEMA + ".scores (player_id text PRIMARY KEY, points bigint NOT NULL)");
    }

    @Override
    public void handle(ConsumedEvent event, Connection connection) throws SQLException {
        try (PreparedStatement log = connection.prepareStatement("INSERT INTO " + SCHEMA + ".applied"
                + " (stream_id, stream_version, event_id, instance, topic, kafka_partition, kafka_offset)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            log.setString(1, event.streamId());
            log.setLong(2, event.streamVersion());
            log.setLong(3, event.eventId());
            log.setString(4, instance);
            log.setString(5, event.topic());
            log.setInt(6, event.partition());
            log.setLong(7, event.offset());
            log.executeUpdate();
        }
        if (event.data() instanceof GuessProcessed guess && guess.correct()) {
            try (PreparedStatement add = connection.prepareStatement("INSERT INTO " + SCHEMA + ".scores (player_id, points)"
                    + " VALUES (?, ?) ON CONFLICT (player_id) DO UPDATE SET points = scores.points + EXCLUDED.points")) {
                add.setString(1, guess.playerId());
                add.setLong(2, guess.points());
                add.executeUpdate();
            }
        }
    }

    static long appliedCount(TestDatabase database) {
        return queryLong(database, "SELECT count(*) FROM " + SCHEMA + ".applied");
    }

    static long appliedCount(TestDatabase database, String instance) {
        return queryLong(database, "SELECT count(*) FROM " + SCHEMA + ".applied WHERE instance = '" + instance + "'");
    }

    static Map<String, Long> scores(TestDatabase database) {
        Map<String, Long> scores = new HashMap<>();
        query(database, "SELECT player_id, points FROM " + SCHEMA + ".scores", rs -> scores.put(rs.getString(1), rs.getLong(2)));
        return scores;
    }

    /** Every stored event applied exactly once, each stream in order, and the leaderboard is the sum of them. */
    static void assertEachEventAppliedOnce(TestDatabase database, List<RecordedEvent> events) {
        List<String> twice = new ArrayList<>();
        query(database, "SELECT stream_id, stream_version, count(*) FROM " + SCHEMA + ".applied GROUP BY 1, 2"
                + " HAVING count(*) > 1 ORDER BY 1, 2", rs -> twice.add(rs.getString(1) + "@" + rs.getLong(2) + " x" + rs.getLong(3)));
        assertThat(twice).as("events applied more than once").isEmpty();

        Map<String, List<Long>> applied = new java.util.TreeMap<>();
        query(database, "SELECT stream_id, stream_version FROM " + SCHEMA + ".applied ORDER BY seq",
                rs -> applied.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getLong(2)));
        Map<String, List<Long>> expected = new java.util.TreeMap<>();
        events.forEach(e -> expected.computeIfAbsent(e.streamId(), k -> new ArrayList<>()).add(e.streamVersion()));
        expected.values().forEach(versions -> versions.sort(null));
        assertThat(applied).as("each stream's events applied once, in stream order").isEqualTo(expected);
        assertThat(scores(database)).as("leaderboard").isEqualTo(ConsumerTestSupport.expectedScores(events));
    }

    interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    static void query(TestDatabase database, String sql, RowReader reader) {
        try (Connection connection = database.connect(); PreparedStatement statement = connection.prepareStatement(sql);
             ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                reader.read(rs);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    static long queryLong(TestDatabase database, String sql) {
        long[] value = new long[1];
        query(database, sql, rs -> value[0] = rs.getLong(1));
        return value[0];
    }
}
