package dev.eventstore.examples.leaderboard;

import dev.eventstore.EventMetadata;
import dev.eventstore.EventStore;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.examples.leaderboard.GameEvents.GameFinished;
import dev.eventstore.examples.leaderboard.GameEvents.GameStarted;
import dev.eventstore.examples.leaderboard.GameEvents.PointsScored;
import java.util.List;

/** The game service's writes: each game is a stream; every change is an appended event. */
public final class Games {

    private final EventStore store;

    public Games(EventStore store) {
        this.store = store;
    }

    /** Starts a game; fails with {@code WrongExpectedVersionException} if it exists. */
    public void start(String gameId, String mode) {
        append(gameId, ExpectedVersion.NO_STREAM, new GameStarted(gameId, mode));
    }

    /** Records points a player scored in a started game. */
    public void score(String gameId, String playerId, int points) {
        if (points <= 0) {
            throw new IllegalArgumentException("points must be positive, was " + points);
        }
        append(gameId, ExpectedVersion.STREAM_EXISTS, new PointsScored(gameId, playerId, points));
    }

    public void finish(String gameId) {
        append(gameId, ExpectedVersion.STREAM_EXISTS, new GameFinished(gameId));
    }

    /** The game's events, typed, in order. */
    public List<Object> history(String gameId) {
        return store.readStreamForward(GameEvents.streamId(gameId), 1, 10_000).stream()
                .map(GameEvents.serializer()::deserialize)
                .toList();
    }

    private void append(String gameId, ExpectedVersion expected, Object event) {
        EventMetadata metadata = EventMetadata.builder().correlationId(gameId).actor("game-service").build();
        store.append(GameEvents.streamId(gameId), expected, GameEvents.serializer().toEventData(event, metadata));
    }
}
