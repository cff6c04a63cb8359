package dev.eventstore.examples.leaderboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.EventStore;
import dev.eventstore.WrongExpectedVersionException;
import dev.eventstore.consumer.ConsumedEvent;
import dev.eventstore.examples.leaderboard.GameEvents.GameStarted;
import dev.eventstore.examples.leaderboard.GameEvents.PointsScored;
import dev.eventstore.testing.EventStoreTest;
import java.sql.Connection;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The service and the read model against the store alone (the kit's default mode: no Kafka). */
@EventStoreTest
class GamesTest {

    private final Games games;
    private final Leaderboard leaderboard;

    GamesTest(EventStore store) {
        games = new Games(store);
        leaderboard = new Leaderboard(store.dataSource(), store.schema().value());
        leaderboard.createTable();
    }

    @Test
    void aGameIsAStreamOfTypedEvents() {
        games.start("g1", "race");
        games.score("g1", "ann", 3);

        assertThat(games.history("g1")).containsExactly(new GameStarted("g1", "race"), new PointsScored("g1", "ann", 3));
    }

    @Test
    void aGameStartsOnce() {
        games.start("g1", "race");

        assertThatThrownBy(() -> games.start("g1", "duel")).isInstanceOf(WrongExpectedVersionException.class);
    }

    @Test
    void pointsAddUpPerPlayer(EventStore store) throws Exception {
        try (Connection connection = store.dataSource().getConnection()) {
            leaderboard.apply(scored(1, "ann", 3), connection);
            leaderboard.apply(scored(2, "bob", 5), connection);
            leaderboard.apply(scored(3, "ann", 4), connection);
        }

        assertThat(leaderboard.top(10)).containsExactly(new Leaderboard.Entry("ann", 7), new Leaderboard.Entry("bob", 5));
        assertThat(leaderboard.top(1)).containsExactly(new Leaderboard.Entry("ann", 7));
    }

    private static ConsumedEvent scored(long version, String player, int points) {
        return new ConsumedEvent(version, "game-g1", version, "PointsScored", 1, 1, Instant.now(), "{}",
                new PointsScored("g1", player, points), null, ConsumedEvent.NO_PARTITION,
                ConsumedEvent.NO_OFFSET);
    }
}
