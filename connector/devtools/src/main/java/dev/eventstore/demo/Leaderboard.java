package dev.eventstore.demo;

import dev.eventstore.EventStore;
import dev.eventstore.consumer.CheckpointingSubscriber;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import dev.eventstore.simulation.GameEvents;
import dev.eventstore.simulation.GuessProcessed;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * The dev command's demo consumer: the consumer group {@value #GROUP} reads the game topic and
 * keeps a leaderboard (points per player) in PostgreSQL, exactly once, through the checkpointing
 * subscriber. It shows the whole loop: append, bridge, Kafka, consumer, read model, and the group's
 * position in {@code subscriptions} (see {@code eventstore status}).
 */
public final class Leaderboard {

    public static final String GROUP = "leaderboard";
    /** The schema of the dev command's read model, {@code demo.leaderboard}. */
    public static final SchemaName SCHEMA = SchemaName.of("demo");

    private Leaderboard() {
    }

    /** Creates the read model {@code demo.leaderboard} if needed and starts the group {@value #GROUP} on its own thread. */
    public static CheckpointingSubscriber start(EventStore store, String bootstrapServers, String gameTopic) throws SQLException {
        return start(store, bootstrapServers, gameTopic, GROUP, SCHEMA);
    }

    /**
     * Creates the read model {@code <schema>.leaderboard} if needed and starts the consumer group
     * {@code group} on its own thread (the bench runs its own group and keeps the table in its schema).
     */
    public static CheckpointingSubscriber start(EventStore store, String bootstrapServers, String gameTopic, String group,
                                                SchemaName schema) throws SQLException {
        try (Connection connection = store.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(SqlResource.load("create_leaderboard", schema));
        }
        String addPoints = SqlResource.load("add_leaderboard_points", schema);
        return CheckpointingSubscriber.builder(Map.of(
                        "group.id", group,
                        "topics", gameTopic,
                        "bootstrap.servers", bootstrapServers,
                        "auto.offset.reset", "earliest"))
                .eventStore(store)
                .serializer(GameEvents.serializer())
                .handler((event, connection) -> {
                    if (event.data() instanceof GuessProcessed guess && guess.correct()) {
                        try (PreparedStatement add = connection.prepareStatement(addPoints)) {
                            add.setString(1, guess.playerId());
                            add.setInt(2, guess.points());
                            add.executeUpdate();
                        }
                    }
                })
                .build()
                .start();
    }
}
