package dev.eventstore.simulation;

/**
 * A player's guess was judged. Version 1, like every event of the game.
 *
 * @param playerId the player who guessed
 * @param correct whether the guess was the round's word
 * @param attempt the player's attempt number in this round, from 1
 * @param points points scored by this guess
 */
public record GuessProcessed(String gameId, int round, String playerId, String guess, boolean correct, int attempt,
                             int points) {

    public static final String TYPE = "GuessProcessed";

    /** Points for a correct guess at the first attempt; each further attempt scores 2 less. */
    public static final int FIRST_ATTEMPT_POINTS = 10;
}
