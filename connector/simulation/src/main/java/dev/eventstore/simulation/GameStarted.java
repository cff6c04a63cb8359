package dev.eventstore.simulation;

import java.time.Instant;
import java.util.List;

/**
 * A game began: its mode, players (the first is the host) and planned rounds.
 *
 * @param plannedRounds rounds planned (a knockout or race may end earlier)
 */
public record GameStarted(String gameId, GameMode mode, List<String> players, int plannedRounds, Instant startedAt) {

    public static final String TYPE = "GameStarted";
}
