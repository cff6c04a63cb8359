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

    @Test
    void guessProcessedIsWrittenAtVersionTwo() {
        EventData data = serializer.toEventData(new GuessProcessed("game-1", 2, "player-1", "apple", true, 2, 8));
        assertThat(data.eventVersion()).isEqualTo(2);
        assertThat(data.data()).isEqualTo("{\"gameId\":\"game-1\",\"round\":2,\"playerId\":\"player-1\",\"guess\":\"apple\","
                + "\"correct\":true,\"attempt\":2,\"points\":8}");
    }

    /** Version 1 (player, matched; no attempt or points) is read as the current class. */
    @Test
    void upcasterTurnsVersionOneIntoTheCurrentClass() {
        String v1 = "{\"gameId\":\"game-1\",\"round\":3,\"player\":\"player-7\",\"guess\":\"apple\",\"matched\":true}";
        RecordedEvent stored = new RecordedEvent(9, "game-1", 12, "GuessProcessed", 1, v1, null, Instant.EPOCH);
        assertThat(serializer.deserialize(stored, GuessProcessed.class))
                .isEqualTo(new GuessProcessed("game-1", 3, "player-7", "apple", true, 1, GuessProcessed.FIRST_ATTEMPT_POINTS));

        String missed = "{\"gameId\":\"game-1\",\"round\":1,\"player\":\"player-2\",\"guess\":\"pear\",\"matched\":false}";
        assertThat(serializer.deserialize("GuessProcessed", 1, missed))
                .isEqualTo(new GuessProcessed("game-1", 1, "player-2", "pear", false, 1, 0));
    }
}
