package dev.eventstore.simulation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Plays one whole game of a {@link GameMode} with a seeded {@link Random} and returns it as the
 * commands a game server would handle, each with the events it produced. Pure: no store, no
 * clock but the start time given; the same seed gives the same game.
 */
public final class GameScript {

    /** Points a race is won at. */
    public static final int RACE_TARGET = 30;

    /** Who a command came from when no player sent it (rounds that start and end on their own). */
    public static final String SYSTEM_ACTOR = "system";

    private static final String[] WORDS = {
        "apple", "bridge", "castle", "dragon", "engine", "forest", "garden", "harbor", "island", "jungle",
        "kettle", "lantern", "meadow", "needle", "orange", "pepper", "quartz", "rocket", "saddle", "tunnel",
        "umbrella", "velvet", "walnut", "yellow", "zipper", "anchor", "breeze", "candle", "desert", "falcon"};

    /** Seconds of play a guess takes, for the events' timestamps. */
    private static final Duration GUESS_TIME = Duration.ofSeconds(4);

    /**
     * One command and the events it produced, appended together as one batch.
     *
     * @param commandId the command's id: the events' causation id
     * @param actor who sent it: a player id, or {@link #SYSTEM_ACTOR}
     * @param events the events, in order
     */
    public record Command(String commandId, String actor, List<Object> events) {

        public Command {
            events = List.copyOf(events);
        }
    }

    /** A whole game: its id, mode, players and commands in order. */
    public record Game(String gameId, GameMode mode, List<String> players, List<Command> commands) {

        public Game {
            players = List.copyOf(players);
            commands = List.copyOf(commands);
        }

        public int eventCount() {
            return commands.stream().mapToInt(c -> c.events().size()).sum();
        }

        /** Every event in order. */
        public List<Object> events() {
            List<Object> all = new ArrayList<>();
            commands.forEach(c -> all.addAll(c.events()));
            return all;
        }
    }

    private final String gameId;
    private final GameMode mode;
    private final Random random;
    private Instant clock;
    private final List<Command> commands = new ArrayList<>();
    private final List<String> players = new ArrayList<>();
    private final Map<String, Integer> scores = new LinkedHashMap<>();
    private List<Object> pending = new ArrayList<>();
    private String pendingCommand;
    private String pendingActor;

    private GameScript(String gameId, GameMode mode, Random random, Instant start) {
        this.gameId = gameId;
        this.mode = mode;
        this.random = random;
        this.clock = start;
    }

    /** Plays a game of {@code mode} with id {@code gameId}, starting at {@code start}. */
    public static Game play(GameMode mode, String gameId, Random random, Instant start) {
        return new GameScript(gameId, mode, random, start).play();
    }

    private Game play() {
        int count = mode.minPlayers() + random.nextInt(mode.maxPlayers() - mode.minPlayers() + 1);
        for (int i = 0; i < count; i++) {
            String player = "player-" + (1000 + random.nextInt(9000));
            while (players.contains(player)) {
                player = "player-" + (1000 + random.nextInt(9000));
            }
            players.add(player);
            scores.put(player, 0);
        }
        command(players.get(0));
        emit(new GameStarted(gameId, mode, List.copyOf(players), mode.plannedRounds(count), clock));
        switch (mode) {
            case TWO_PLAYER -> playTwoPlayer();
            case KNOCKOUT -> playKnockout();
            case RACE -> playRace();
            default -> throw new IllegalStateException("unknown mode " + mode);
        }
        flush();
        return new Game(gameId, mode, players, commands);
    }

    private void playTwoPlayer() {
        int rounds = mode.plannedRounds(2);
        for (int round = 1; round <= rounds; round++) {
            String word = startRound(round, players);
            List<String> winners = new ArrayList<>();
            int[] attempts = new int[2];
            for (int turn = 0; turn < 4 && winners.isEmpty(); turn++) {
                int p = turn % 2;
                attempts[p]++;
                if (guess(round, players.get(p), word, attempts[p], 0.3)) {
                    winners.add(players.get(p));
                }
            }
            completeRound(round, winners, List.of());
        }
        completeGame(rounds, leader());
    }

    private void playKnockout() {
        List<String> remaining = new ArrayList<>(players);
        int round = 0;
        while (remaining.size() > 1) {
            round++;
            String word = startRound(round, remaining);
            Map<String, Integer> roundPoints = new LinkedHashMap<>();
            List<String> winners = new ArrayList<>();
            for (String player : remaining) {
                int points = 0;
                for (int attempt = 1; attempt <= 2; attempt++) {
                    int before = scores.get(player);
                    if (guess(round, player, word, attempt, 0.35)) {
                        points = scores.get(player) - before;
                        winners.add(player);
                        break;
                    }
                }
                roundPoints.put(player, points);
            }
            int lowest = roundPoints.values().stream().min(Integer::compare).orElse(0);
            List<String> lowestPlayers = remaining.stream().filter(p -> roundPoints.get(p) == lowest).toList();
            String out = lowestPlayers.get(random.nextInt(lowestPlayers.size()));
            remaining.remove(out);
            completeRound(round, winners, List.of(out));
        }
        completeGame(round, remaining.get(0));
    }

    private void playRace() {
        int maxRounds = mode.plannedRounds(players.size());
        int round = 0;
        String winner = null;
        while (winner == null && round < maxRounds) {
            round++;
            String word = startRound(round, players);
            List<String> winners = new ArrayList<>();
            for (String player : players) {
                if (guess(round, player, word, 1, 0.4)) {
                    winners.add(player);
                }
            }
            completeRound(round, winners, List.of());
            winner = players.stream().filter(p -> scores.get(p) >= RACE_TARGET)
                    .max(Comparator.comparingInt(scores::get)).orElse(null);
        }
        completeGame(round, winner != null ? winner : leader());
    }

    /** Starts a round, in the command that is pending (the game's start, or the guess that ended the last round). */
    private String startRound(int round, List<String> active) {
        String word = WORDS[random.nextInt(WORDS.length)];
        emit(new RoundStarted(gameId, round, word.length(), List.copyOf(active)));
        return word;
    }

    /** A player's guess: a new command. Returns whether it was right. */
    private boolean guess(int round, String player, String word, int attempt, double skill) {
        command(player);
        clock = clock.plus(GUESS_TIME);
        boolean correct = random.nextDouble() < skill;
        String guess = correct ? word : WORDS[random.nextInt(WORDS.length)];
        correct = guess.equals(word);
        int points = correct ? Math.max(2, GuessProcessed.FIRST_ATTEMPT_POINTS - 2 * (attempt - 1)) : 0;
        scores.merge(player, points, Integer::sum);
        emit(new GuessProcessed(gameId, round, player, guess, correct, attempt, points));
        return correct;
    }

    private void completeRound(int round, List<String> winners, List<String> eliminated) {
        emit(new RoundCompleted(gameId, round, List.copyOf(winners), List.copyOf(eliminated), new LinkedHashMap<>(scores)));
    }

    private void completeGame(int rounds, String winner) {
        emit(new GameCompleted(gameId, winner, new LinkedHashMap<>(scores), rounds, clock));
    }

    /** The player with the highest score, or {@code null} on a tie. */
    private String leader() {
        int best = scores.values().stream().max(Integer::compare).orElse(0);
        List<String> top = scores.entrySet().stream().filter(e -> e.getValue() == best).map(Map.Entry::getKey).toList();
        return top.size() == 1 ? top.get(0) : null;
    }

    private void command(String actor) {
        flush();
        pendingCommand = new UUID(random.nextLong(), random.nextLong()).toString();
        pendingActor = actor;
    }

    private void emit(Object event) {
        pending.add(event);
    }

    private void flush() {
        if (!pending.isEmpty()) {
            commands.add(new Command(pendingCommand, pendingActor, pending));
            pending = new ArrayList<>();
        }
    }
}
