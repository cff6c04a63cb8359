package dev.eventstore.simulation;

/** The game modes the simulation plays; each produces its own shape of event stream. */
public enum GameMode {

    /** Two players, three rounds; each round they alternate guesses until one is right (four attempts at most). */
    TWO_PLAYER(2, 2, 3),

    /** Four to six players; after each round the lowest scorer of the round is knocked out, until one remains. */
    KNOCKOUT(4, 6, 5),

    /** Three to five players race to {@value GameScript#RACE_TARGET} points, one guess each per round (ten rounds at most). */
    RACE(3, 5, 10);

    private final int minPlayers;
    private final int maxPlayers;
    private final int plannedRounds;

    GameMode(int minPlayers, int maxPlayers, int plannedRounds) {
        this.minPlayers = minPlayers;
        this.maxPlayers = maxPlayers;
        this.plannedRounds = plannedRounds;
    }

    public int minPlayers() {
        return minPlayers;
    }

    public int maxPlayers() {
        return maxPlayers;
    }

    /** Rounds planned at the start (knockout: players - 1; race: at most this many). */
    public int plannedRounds(int players) {
        return this == KNOCKOUT ? players - 1 : plannedRounds;
    }
}
