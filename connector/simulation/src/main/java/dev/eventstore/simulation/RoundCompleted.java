package dev.eventstore.simulation;

import java.util.List;
import java.util.Map;

/**
 * A round ended.
 *
 * @param winners the players who guessed the word this round (empty if nobody did)
 * @param eliminated the players knocked out by this round (knockout mode only)
 * @param scores every player's total score after this round
 */
public record RoundCompleted(String gameId, int round, List<String> winners, List<String> eliminated,
                             Map<String, Integer> scores) {

    public static final String TYPE = "RoundCompleted";
}
