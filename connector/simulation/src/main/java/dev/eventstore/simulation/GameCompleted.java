package dev.eventstore.simulation;

import java.time.Instant;
import java.util.Map;

/**
 * A game ended.
 *
 * @param winner the winning player, or {@code null} for a draw
 * @param finalScores every player's final score
 */
public record GameCompleted(String gameId, String winner, Map<String, Integer> finalScores, int roundsPlayed,
                            Instant completedAt) {

    public static final String TYPE = "GameCompleted";
}
