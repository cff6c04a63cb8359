package dev.eventstore.examples.leaderboard;

import dev.eventstore.EventStore;
import dev.eventstore.consumer.CheckpointingSubscriber;
import dev.eventstore.consumer.ConsumedEvent;
import dev.eventstore.examples.leaderboard.GameEvents.PointsScored;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The leaderboard read model: a table {@code <schema>.leaderboard} of points per player, kept by
 * a {@link CheckpointingSubscriber} from the games' Kafka topic. Each event's points are added in
 * the same PostgreSQL transaction that records the subscription's position, so each counts
 * exactly once, whatever Kafka redelivers.
 */
public final class Leaderboard {

    /** A player's line on the leaderboard. */
    public record Entry(String playerId, long points) {
    }

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final DataSource dataSource;
    private final String schema;

    /**
     * @param schema the PostgreSQL schema of the table (the event store's, so that the handler's
     *     writes and the checkpoint share one database)
     */
    public Leaderboard(DataSource dataSource, String schema) {
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("invalid schema name '" + schema + "'");
        }
        this.dataSource = dataSource;
        this.schema = schema;
    }

    /** Creates the table unless it exists. */
    public void createTable() {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql("create_leaderboard"));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the leaderboard table: " + e.getMessage(), e);
        }
    }

    /** The subscriber that keeps the table; {@code settings} are its group, topics and Kafka settings. */
    public CheckpointingSubscriber subscriber(Map<String, ?> settings, EventStore store) {
        return CheckpointingSubscriber.builder(settings)
                .eventStore(store)
                .serializer(GameEvents.serializer())
                .handler(this::apply)
                .build();
    }

    /** Applies one event inside the subscriber's transaction. */
    void apply(ConsumedEvent event, Connection connection) throws SQLException {
        if (event.data() instanceof PointsScored scored) {
            try (PreparedStatement add = connection.prepareStatement(sql("add_points"))) {
                add.setString(1, scored.playerId());
                add.setLong(2, scored.points());
                add.executeUpdate();
            }
        }
    }

    /** The {@code limit} best players, most points first (ties by player id). */
    public List<Entry> top(int limit) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(sql("top_players"))) {
            select.setInt(1, limit);
            List<Entry> entries = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    entries.add(new Entry(rs.getString("player_id"), rs.getLong("points")));
                }
            }
            return entries;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the leaderboard: " + e.getMessage(), e);
        }
    }

    /** A statement of {@code <name>.sql} beside this class, for this schema. */
    private String sql(String name) {
        try (InputStream in = Leaderboard.class.getResourceAsStream(name + ".sql")) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + ".sql");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${schema}", schema);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
