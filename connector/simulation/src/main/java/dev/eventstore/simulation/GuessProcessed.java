package dev.eventstore.simulation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A player's guess was judged. Version 2 (current): {@code playerId}, {@code correct},
 * {@code attempt} and {@code points}. Version 1 had {@code player} and {@code matched} and no
 * attempt or points; {@link #UPCAST_FROM_V1} turns it into version 2 on read.
 *
 * @param attempt the player's attempt number in this round, from 1
 * @param points points scored by this guess
 */
public record GuessProcessed(String gameId, int round, String playerId, String guess, boolean correct, int attempt,
                             int points) {

    public static final String TYPE = "GuessProcessed";
    public static final int VERSION = 2;

    /** Points for a correct guess at the first attempt; each further attempt scores 2 less. */
    public static final int FIRST_ATTEMPT_POINTS = 10;

    /**
     * Version 1 to 2: {@code player} becomes {@code playerId}, {@code matched} becomes
     * {@code correct}; version 1 allowed one attempt, so {@code attempt} is 1 and a correct guess
     * scored {@link #FIRST_ATTEMPT_POINTS}.
     */
    public static final dev.eventstore.serializer.Upcaster UPCAST_FROM_V1 = (JsonNode data) -> {
        ObjectNode node = (ObjectNode) data;
        JsonNode player = node.remove("player");
        JsonNode matched = node.remove("matched");
        boolean correct = matched != null && matched.asBoolean();
        node.set("playerId", player);
        node.put("correct", correct);
        node.put("attempt", 1);
        node.put("points", correct ? FIRST_ATTEMPT_POINTS : 0);
        return node;
    };
}
