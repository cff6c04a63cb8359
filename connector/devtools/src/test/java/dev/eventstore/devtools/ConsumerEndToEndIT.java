package dev.eventstore.devtools;

import dev.eventstore.cli.Cli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventstore.AppendResult;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.RecordedEvent;
import dev.eventstore.serializer.EventSerializer;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.BridgeTestAccess;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.consumer.CheckpointingSubscriber;
import dev.eventstore.demo.Leaderboard;
import dev.eventstore.simulation.GameEvents;
import dev.eventstore.simulation.GameSimulation;
import dev.eventstore.simulation.GuessProcessed;
import dev.eventstore.testing.TestDatabase;
import dev.eventstore.testing.TestKafka;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The whole loop: games appended through the library, published by the bridge, consumed by the
 * demo leaderboard group (checkpointing subscriber), republished in full (every event a duplicate),
 * and the read model still equals what the store holds; status shows the group caught up.
 */
class ConsumerEndToEndIT {

    private final BridgeTestAccess support = new BridgeTestAccess();
    private Map<String, String> environment;
    private BridgeConfig config;

    @Test
    void leaderboardEqualsTheStoreAfterDuplicates() throws Exception {
        TestDatabase database = TestDatabase.get();
        EventBridge bridge = startBridge(database);
        CheckpointingSubscriber leaderboard = null;
        try {
            GameSimulation.builder(support.store()).seed(7).build().appendGames(6);
            long stored = countStoredEvents(database);
            TestKafka.readUntil(support.topics(), r -> r.size() >= stored, Duration.ofSeconds(60));

            leaderboard = Leaderboard.start(support.store(), TestKafka.bootstrapServers(), config.topicPrefix() + ".game");
            CheckpointingSubscriber subscriber = leaderboard;
            await().atMost(Duration.ofSeconds(90)).until(() -> subscriber.processedCount() >= stored);

            Cli cli = new Cli();
            environment.forEach(cli::with);
            assertThat(cli.run("republish", "--all").exitCode()).isZero();
            await().atMost(Duration.ofSeconds(90)).until(() -> subscriber.duplicateCount() >= stored);
            assertThat(subscriber.processedCount()).as("each event applied once").isEqualTo(stored);

            assertThat(leaderboardPoints(database)).isEqualTo(expectedPoints()).isPositive();
            Cli.Result status = cli.run("status");
            assertThat(status.out()).containsPattern(Leaderboard.GROUP + "\\s+game\\s+0\\s+0\\.0\\s+subscriptions");
        } finally {
            if (leaderboard != null) {
                leaderboard.close();
            }
            bridge.close();
            support.dropSlot();
        }
    }

    /**
     * Read your own writes: a game server appends a correct guess, waits until the leaderboard
     * group has consumed it, and reads the leaderboard at once, without polling: the row already
     * counts the guess, every time.
     */
    @Test
    void anAwaitedGuessIsOnTheLeaderboardAtOnce() throws Exception {
        TestDatabase database = TestDatabase.get();
        EventBridge bridge = startBridge(database);
        CheckpointingSubscriber leaderboard = null;
        try {
            leaderboard = Leaderboard.start(support.store(), TestKafka.bootstrapServers(), config.topicPrefix() + ".game");
            EventSerializer serializer = GameEvents.serializer();
            long expected = 0;
            ExpectedVersion version = ExpectedVersion.NO_STREAM;
            for (int round = 1; round <= 20; round++) {
                int points = round;
                AppendResult appended = support.store().append("game-ryw", version, serializer.toEventData(
                        new GuessProcessed("game-ryw", round, "player-ryw", "word", true, 1, points)));
                version = appended.nextExpectedVersion();
                expected += points;

                support.store().awaitConsumed(Leaderboard.GROUP, appended, Duration.ofSeconds(60));

                assertThat(playerPoints(database, "player-ryw")).as("after round %d", round).isEqualTo(expected);
            }
        } finally {
            if (leaderboard != null) {
                leaderboard.close();
            }
            bridge.close();
            support.dropSlot();
        }
    }

    /** A fresh demo schema, and the bridge (without its mirror: the leaderboard records its own positions). */
    private EventBridge startBridge(TestDatabase database) throws Exception {
        database.execute("DROP SCHEMA IF EXISTS demo CASCADE");
        environment = new HashMap<>(support.environment());
        environment.put("EVENTSTORE_MIRROR_ENABLED", "false");
        config = BridgeConfig.load(new Properties(), environment);
        EventBridge bridge = EventBridge.start(config, false);
        try {
            bridge.ready().get(60, TimeUnit.SECONDS);
            return bridge;
        } catch (Exception e) {
            bridge.close();
            throw e;
        }
    }

    private static long playerPoints(TestDatabase database, String player) throws Exception {
        try (Connection connection = database.connect();
             java.sql.PreparedStatement query = connection.prepareStatement(
                     "SELECT coalesce(sum(points), 0) FROM demo.leaderboard WHERE player_id = ?")) {
            query.setString(1, player);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long countStoredEvents(TestDatabase database) throws Exception {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT count(*) FROM bridge_it.events")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long leaderboardPoints(TestDatabase database) throws Exception {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT coalesce(sum(points), 0) FROM demo.leaderboard")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long expectedPoints() {
        long points = 0;
        for (RecordedEvent event : support.store().readAllForward(0, 100_000)) {
            if (event.eventType().equals(GuessProcessed.TYPE)) {
                GuessProcessed guess = GameEvents.serializer().deserialize(event, GuessProcessed.class);
                points += guess.correct() ? guess.points() : 0;
            }
        }
        return points;
    }
}
