package dev.eventstore.simulation;

import java.util.List;

/** A round began: the word to guess has {@code wordLength} letters; {@code activePlayers} may guess. */
public record RoundStarted(String gameId, int round, int wordLength, List<String> activePlayers) {

    public static final String TYPE = "RoundStarted";
}
