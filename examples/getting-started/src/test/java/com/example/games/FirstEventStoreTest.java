package com.example.games;

import static dev.eventstore.testing.EventStoreExtension.createTestEvent;
import static dev.eventstore.testing.EventStoreExtension.createTestStream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventStore;
import dev.eventstore.RecordedEvent;
import dev.eventstore.testing.EventStoreExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EventStoreExtension.class)
class FirstEventStoreTest {

    @Test
    void appendsAndReads(EventStore store) {
        createTestStream("game-1", List.of(
                createTestEvent("GameStarted", Map.of("mode", "race")),
                createTestEvent("PointsScored", Map.of("playerId", "ann", "points", 3))));

        List<RecordedEvent> events = store.readStreamForward("game-1", 1, 10);

        assertThat(events).extracting(RecordedEvent::eventType).containsExactly("GameStarted", "PointsScored");
    }

    @Test
    void everyTestStartsWithAnEmptyStore(EventStore store) {
        assertThat(store.streamInfo("game-1")).isEmpty();
    }
}
