package dev.eventstore.simulation;

import dev.eventstore.AppendResult;
import dev.eventstore.EventData;
import dev.eventstore.EventMetadata;
import dev.eventstore.EventStore;
import dev.eventstore.EventStoreException;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.serializer.EventSerializer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays games through an {@link EventStore} as game servers would: each game is a stream
 * {@code game-<run>-<n>}; each player command is one append of the events it produced, with the
 * stream's exact expected version and metadata (correlation id = game id, causation id = the
 * command's id, actor = the player or {@code system}). Writers play several games at once, so
 * streams interleave; an optional rate limit paces events per second across all writers.
 *
 * <pre>{@code
 * GameSimulation simulation = GameSimulation.builder(store).eventsPerSecond(500).writers(2).build();
 * SimulationReport report = simulation.runFor(Duration.ofSeconds(10));   // or appendGames(100), appendEvents(10_000)
 * }</pre>
 *
 * <p>Each run blocks until its bound (games, events or duration) is reached or {@link #stop()} is
 * called from another thread; one run at a time. {@link #progress()} reads the counters while it
 * runs. A failed append stops the run and is rethrown from it.
 */
public final class GameSimulation {

    private static final Logger log = LoggerFactory.getLogger(GameSimulation.class);

    private final EventStore store;
    private final EventSerializer serializer;
    private final List<GameMode> modes;
    private final double eventsPerSecond;
    private final int writers;
    private final int gamesPerWriter;
    private final long seed;
    private final Clock clock;
    private final Consumer<AppendResult> listener;
    private final String runPrefix;

    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final AtomicInteger gameNumber = new AtomicInteger();
    private volatile Run current;

    private GameSimulation(Builder builder) {
        this.store = builder.store;
        this.serializer = builder.serializer;
        this.modes = List.copyOf(builder.modes);
        this.eventsPerSecond = builder.eventsPerSecond;
        this.writers = builder.writers;
        this.gamesPerWriter = builder.gamesPerWriter;
        this.seed = builder.seed;
        this.clock = builder.clock;
        this.listener = builder.listener;
        this.runPrefix = builder.streamPrefix;
    }

    public static Builder builder(EventStore store) {
        return new Builder(store);
    }

    /** Plays {@code games} complete games, then returns. */
    public SimulationReport appendGames(int games) {
        if (games < 1) {
            throw new IllegalArgumentException("games must be 1 or more, was " + games);
        }
        return run(games, Long.MAX_VALUE, null);
    }

    /** Appends exactly {@code events} events (games in progress at the end stay unfinished), then returns. */
    public SimulationReport appendEvents(long events) {
        if (events < 1) {
            throw new IllegalArgumentException("events must be 1 or more, was " + events);
        }
        return run(Long.MAX_VALUE, events, null);
    }

    /** Plays games for {@code duration} (games in progress at the end stay unfinished), then returns. */
    public SimulationReport runFor(Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive, was " + duration);
        }
        return run(Long.MAX_VALUE, Long.MAX_VALUE, duration);
    }

    /** Ends the current run soon (after the appends in flight); it returns what it did. Harmless when idle. */
    public void stop() {
        stopRequested.set(true);
    }

    /** The current run's counters, or the last run's once it ended; zeros before the first. */
    public SimulationReport progress() {
        Run run = current;
        return run == null ? new SimulationReport(0, 0, 0, 0, Duration.ZERO) : run.report();
    }

    public boolean running() {
        return running.get();
    }

    private SimulationReport run(long maxGames, long maxEvents, Duration duration) {
        if (!running.compareAndSet(false, true)) {
            throw new IllegalStateException("the simulation is already running");
        }
        stopRequested.set(false);
        Run run = new Run(maxGames, maxEvents, duration);
        current = run;
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(writers, r -> {
            Thread t = new Thread(r, "game-simulation-writer-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                Random random = new Random(seed * 31 + w);
                futures.add(pool.submit(() -> new Writer(run, random).play()));
            }
            Throwable failure = null;
            for (Future<?> future : futures) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    run.failed.set(true);
                    if (failure == null) {
                        failure = e.getCause();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    run.failed.set(true);
                    failure = e;
                }
            }
            run.finish();
            if (failure != null) {
                throw failure instanceof EventStoreException ese ? ese
                        : new EventStoreException("game simulation failed: " + failure, failure);
            }
            SimulationReport report = run.report();
            log.info("Game simulation: {}", report);
            return report;
        } finally {
            pool.shutdownNow();
            running.set(false);
        }
    }

    /** One run's bounds and counters, shared by its writers. */
    private final class Run {

        final long maxGames;
        final long maxEvents;
        final long startNanos = System.nanoTime();
        final long deadlineNanos;
        final RateLimiter limiter = new RateLimiter(eventsPerSecond);
        final AtomicLong gamesStarted = new AtomicLong();
        final AtomicLong gamesCompleted = new AtomicLong();
        final AtomicLong events = new AtomicLong();
        final AtomicLong eventsReserved = new AtomicLong();
        final AtomicLong appends = new AtomicLong();
        final AtomicBoolean failed = new AtomicBoolean();
        volatile long endNanos;

        Run(long maxGames, long maxEvents, Duration duration) {
            this.maxGames = maxGames;
            this.maxEvents = maxEvents;
            this.deadlineNanos = duration == null ? Long.MAX_VALUE : startNanos + duration.toNanos();
        }

        boolean stopping() {
            return stopRequested.get() || failed.get() || (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos >= 0);
        }

        boolean mayStartGame() {
            while (true) {
                long started = gamesStarted.get();
                if (started >= maxGames) {
                    return false;
                }
                if (gamesStarted.compareAndSet(started, started + 1)) {
                    return true;
                }
            }
        }

        /** Reserves up to {@code wanted} of the run's remaining events; returns how many (0: none left). */
        int reserveEvents(int wanted) {
            if (maxEvents == Long.MAX_VALUE) {
                return wanted;
            }
            while (true) {
                long reserved = eventsReserved.get();
                long granted = Math.min(wanted, maxEvents - reserved);
                if (granted <= 0) {
                    return 0;
                }
                if (eventsReserved.compareAndSet(reserved, reserved + granted)) {
                    return (int) granted;
                }
            }
        }

        void finish() {
            endNanos = System.nanoTime();
        }

        SimulationReport report() {
            long end = endNanos != 0 ? endNanos : System.nanoTime();
            return new SimulationReport(gamesStarted.get(), gamesCompleted.get(), events.get(), appends.get(),
                    Duration.ofNanos(end - startNanos));
        }
    }

    /** A game being played: its script and how far it has been appended. */
    private static final class ActiveGame {

        final GameScript.Game game;
        final String streamId;
        int nextCommand;
        int nextEventInCommand;
        long version;

        ActiveGame(GameScript.Game game, String streamId) {
            this.game = game;
            this.streamId = streamId;
        }

        boolean done() {
            return nextCommand >= game.commands().size();
        }
    }

    /** One writer thread: keeps up to {@code gamesPerWriter} games going, one command at a time. */
    private final class Writer {

        private final Run run;
        private final Random random;
        private final List<ActiveGame> active = new ArrayList<>();

        Writer(Run run, Random random) {
            this.run = run;
            this.random = random;
        }

        void play() {
            while (!run.stopping()) {
                while (active.size() < gamesPerWriter && run.mayStartGame()) {
                    active.add(newGame());
                }
                if (active.isEmpty()) {
                    return;
                }
                ActiveGame game = active.get(random.nextInt(active.size()));
                if (!appendNextCommand(game)) {
                    return;
                }
                if (game.done()) {
                    active.remove(game);
                    run.gamesCompleted.incrementAndGet();
                }
            }
        }

        private ActiveGame newGame() {
            GameMode mode = modes.get(random.nextInt(modes.size()));
            String streamId = runPrefix + "-" + gameNumber.incrementAndGet();
            return new ActiveGame(GameScript.play(mode, streamId, random, clock.instant()), streamId);
        }

        /** Appends the game's next command (or what the event budget allows of it); false when the run must end. */
        private boolean appendNextCommand(ActiveGame game) {
            GameScript.Command command = game.game.commands().get(game.nextCommand);
            List<Object> remaining = command.events().subList(game.nextEventInCommand, command.events().size());
            int granted = run.reserveEvents(remaining.size());
            if (granted == 0) {
                return false;
            }
            if (!run.limiter.acquire(granted, run::stopping, run.deadlineNanos)) {
                return false;
            }
            EventMetadata metadata = EventMetadata.builder()
                    .correlationId(game.game.gameId())
                    .causationId(command.commandId())
                    .actor(command.actor())
                    .put("game_mode", game.game.mode().name())
                    .put("simulated", true)
                    .build();
            List<EventData> batch = new ArrayList<>(granted);
            for (Object event : remaining.subList(0, granted)) {
                batch.add(serializer.toEventData(event, metadata));
            }
            ExpectedVersion expected = game.version == 0 ? ExpectedVersion.NO_STREAM : ExpectedVersion.exactly(game.version);
            AppendResult result = store.append(game.streamId, expected, batch);
            game.version = result.lastVersion();
            game.nextEventInCommand += granted;
            if (game.nextEventInCommand == command.events().size()) {
                game.nextCommand++;
                game.nextEventInCommand = 0;
            }
            run.events.addAndGet(granted);
            run.appends.incrementAndGet();
            listener.accept(result);
            return true;
        }
    }

    /** Configures a {@link GameSimulation}. */
    public static final class Builder {

        private final EventStore store;
        private EventSerializer serializer = GameEvents.serializer();
        private Set<GameMode> modes = EnumSet.allOf(GameMode.class);
        private double eventsPerSecond;
        private int writers = 1;
        private int gamesPerWriter = 4;
        private long seed = System.nanoTime();
        private Clock clock = Clock.systemUTC();
        private Consumer<AppendResult> listener = result -> { };
        private String streamPrefix = "game-" + UUID.randomUUID().toString().substring(0, 8);

        private Builder(EventStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** The serializer; it must know the game's events (see {@link GameEvents#register}). Default: {@link GameEvents#serializer()}. */
        public Builder serializer(EventSerializer serializer) {
            this.serializer = Objects.requireNonNull(serializer, "serializer");
            return this;
        }

        /** The modes to play, picked at random per game; default all. */
        public Builder modes(Set<GameMode> modes) {
            if (modes.isEmpty()) {
                throw new IllegalArgumentException("at least one game mode is needed");
            }
            this.modes = EnumSet.copyOf(modes);
            return this;
        }

        /** Events per second across all writers; 0 (the default) for as fast as the store goes. */
        public Builder eventsPerSecond(double eventsPerSecond) {
            if (eventsPerSecond < 0) {
                throw new IllegalArgumentException("events per second must be 0 (unlimited) or more");
            }
            this.eventsPerSecond = eventsPerSecond;
            return this;
        }

        /** Writer threads, each with its own connection at a time; default 1. */
        public Builder writers(int writers) {
            if (writers < 1) {
                throw new IllegalArgumentException("writers must be 1 or more");
            }
            this.writers = writers;
            return this;
        }

        /** Games each writer keeps going at once, interleaving their streams; default 4. */
        public Builder gamesPerWriter(int games) {
            if (games < 1) {
                throw new IllegalArgumentException("games per writer must be 1 or more");
            }
            this.gamesPerWriter = games;
            return this;
        }

        /** Seed of the games' randomness (players, guesses, modes); default from the clock. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Start time of each game's events; default the system clock, UTC. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Called on the writer's thread after each successful append (e.g. to time end-to-end latency). */
        public Builder onAppend(Consumer<AppendResult> listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Stream id prefix; games are {@code <prefix>-1}, {@code <prefix>-2}, ... Default
         * {@code game-<8 random hex digits>}, so runs never collide and every stream's category
         * (the part before the first {@code -}) is {@code game}.
         */
        public Builder streamPrefix(String prefix) {
            this.streamPrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        public GameSimulation build() {
            for (Class<?> type : GameEvents.TYPES) {
                if (serializer.registry().byClass(type).isEmpty()) {
                    throw new IllegalArgumentException("the serializer does not know " + type.getSimpleName()
                            + ": register the game's events with GameEvents.register(builder)");
                }
            }
            return new GameSimulation(this);
        }
    }
}
