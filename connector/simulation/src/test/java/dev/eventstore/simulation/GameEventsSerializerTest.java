package dev.eventstore.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventData;
import dev.eventstore.EventMetadata;
import dev.eventstore.RecordedEvent;
import dev.eventstore.serializer.EventSerializer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GameEventsSerializerTest {

    private final EventSerializer serializer = GameEvents.serializer();

    private static RecordedEvent stored(EventData data) {
        return new RecordedEvent(1, "game-1", 1, data.eventType(), data.eventVersion(), data.data(), data.metadata(),
                Instant.EPOCH);
    }

    @Test
    void everyRegisteredGameEventRoundTrips() {
        Map<Class<?>, Integer> seen = new LinkedHashMap<>();
        for (GameMode mode : GameMode.values()) {
            for (int seed = 0; seed < 5; seed++) {
                GameScript.Game game = GameScript.play(mode, "game-" + mode + "-" + seed, new Random(seed),
                        Instant.parse("2024-06-01T12:00:00.123456Z"));
                for (Object event : game.events()) {
                    EventData data = serializer.toEventData(event, EventMetadata.builder().actor("x").build());
                    assertThat(data.eventType()).isEqualTo(serializer.typeOf(event).name());
                    assertThat(serializer.deserialize(stored(data))).as(data.eventType()).isEqualTo(event);
                    seen.merge(event.getClass(), 1, Integer::sum);
                }
            }
        }
        assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(GameEvents.TYPES);
        assertThat(serializer.registry().eventTypes())
                .containsExactly("GameStarted", "RoundStarted", "GuessProcessed", "RoundCompleted", "GameCompleted");
    }

    /** Every event of the game is written at version 1: the game has no older schema to read. */
    @Test
    void everyGameEventIsWrittenAtVersionOne() {
        EventData data = serializer.toEventData(new GuessProcessed("game-1", 2, "player-1", "apple", true, 2, 8));
        assertThat(data.eventVersion()).isEqualTo(1);
        assertThat(data.data()).isEqualTo("{\"gameId\":\"game-1\",\"round\":2,\"playerId\":\"player-1\",\"guess\":\"apple\","
                + "\"correct\":true,\"attempt\":2,\"points\":8}");
        for (String type : serializer.registry().eventTypes()) {
            assertThat(serializer.registry().byName(type).orElseThrow().version()).as(type).isEqualTo(1);
        }
    }
}
