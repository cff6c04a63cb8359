package dev.eventstore.examples.leaderboard;

import dev.eventstore.serializer.EventSerializer;
import dev.eventstore.serializer.EventTypeRegistry;

/** The game's events, as stored in streams {@code game-<id>} (topic category {@code game}). */
public final class GameEvents {

    public record GameStarted(String gameId, String mode) {
    }

    public record PointsScored(String gameId, String playerId, int points) {
    }

    public record GameFinished(String gameId) {
    }

    private static final EventSerializer SERIALIZER = new EventSerializer(EventTypeRegistry.builder()
            .register("GameStarted", GameStarted.class)
            .register("PointsScored", PointsScored.class)
            .register("GameFinished", GameFinished.class)
            .build());

    private GameEvents() {
    }

    public static EventSerializer serializer() {
        return SERIALIZER;
    }

    public static String streamId(String gameId) {
        return "game-" + gameId;
    }
}
