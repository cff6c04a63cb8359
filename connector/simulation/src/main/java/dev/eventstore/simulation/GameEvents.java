package dev.eventstore.simulation;

import dev.eventstore.serializer.EventSerializer;
import dev.eventstore.serializer.EventTypeRegistry;
import java.util.List;

/**
 * The game's event types, registered through the public serializer API exactly as a game server
 * registers its own.
 */
public final class GameEvents {

    /** Every game event class, in the order a game produces them. */
    public static final List<Class<?>> TYPES = List.of(
            GameStarted.class, RoundStarted.class, GuessProcessed.class, RoundCompleted.class, GameCompleted.class);

    private GameEvents() {
    }

    /** Adds the game's event types, each at version 1, to {@code builder}. */
    public static EventTypeRegistry.Builder register(EventTypeRegistry.Builder builder) {
        return builder
                .register(GameStarted.TYPE, GameStarted.class)
                .register(RoundStarted.TYPE, RoundStarted.class)
                .register(GuessProcessed.TYPE, GuessProcessed.class)
                .register(RoundCompleted.TYPE, RoundCompleted.class)
                .register(GameCompleted.TYPE, GameCompleted.class);
    }

    /** A registry of the game's event types only. */
    public static EventTypeRegistry registry() {
        return register(EventTypeRegistry.builder()).build();
    }

    /** A serializer for the game's event types, with the default mapper. */
    public static EventSerializer serializer() {
        return new EventSerializer(registry());
    }
}
