package dev.eventstore.bench;

import dev.eventstore.EventData;
import dev.eventstore.EventMetadata;
import dev.eventstore.serializer.EventSerializer;
import dev.eventstore.simulation.GameEvents;
import dev.eventstore.simulation.GameMode;
import dev.eventstore.simulation.GameScript;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Realistic events for every workload: whole games played by {@link GameScript} (all modes),
 * serialised by the game's registered serializer with the metadata the simulation writes
 * (correlation id, causation id, actor, mode). Seeded, so every run and every subject writes the
 * same events. Workloads take them round-robin.
 */
final class EventPool {

    private final List<EventData> events;
    private final EventSerializer serializer = GameEvents.serializer();

    EventPool(int size, long seed) {
        Random random = new Random(seed);
        List<EventData> generated = new ArrayList<>(size + 64);
        Instant start = Instant.parse("2025-01-01T00:00:00Z");
        int game = 0;
        GameMode[] modes = GameMode.values();
        while (generated.size() < size) {
            GameMode mode = modes[game % modes.length];
            GameScript.Game played = GameScript.play(mode, "game-" + (++game), random, start);
            for (GameScript.Command command : played.commands()) {
                EventMetadata metadata = EventMetadata.builder()
                        .correlationId(played.gameId())
                        .causationId(command.commandId())
                        .actor(command.actor())
                        .put("game_mode", mode.name())
                        .build();
                for (Object event : command.events()) {
                    generated.add(serializer.toEventData(event, metadata));
                }
            }
        }
        this.events = List.copyOf(generated.subList(0, size));
    }

    int size() {
        return events.size();
    }

    EventData get(long index) {
        return events.get((int) Math.floorMod(index, (long) events.size()));
    }

    /** {@code count} events from position {@code start}, wrapping around. */
    List<EventData> batch(long start, int count) {
        List<EventData> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            batch.add(get(start + i));
        }
        return batch;
    }

    EventSerializer serializer() {
        return serializer;
    }

    /** Average bytes of data and of metadata, as UTF-8 JSON. */
    double averageDataBytes() {
        return events.stream().mapToInt(e -> e.data().getBytes(StandardCharsets.UTF_8).length).average().orElse(0);
    }

    double averageMetadataBytes() {
        return events.stream().mapToInt(e -> e.metadata() == null ? 0 : e.metadata().getBytes(StandardCharsets.UTF_8).length)
                .average().orElse(0);
    }

    long typeCount() {
        return events.stream().map(EventData::eventType).distinct().count();
    }
}
