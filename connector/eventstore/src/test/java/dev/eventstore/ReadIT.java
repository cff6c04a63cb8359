package dev.eventstore;

import static dev.eventstore.testing.SharedStoreExtension.createTestStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.testing.SharedStoreExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedStoreExtension.class)
class ReadIT {

    @Test
    void readsForwardAndBackwardByPage(EventStore store) {
        createTestStream("game-1", 10);
        createTestStream("game-2", 3);

        assertThat(store.readStreamForward("game-1", 0, 4)).extracting(RecordedEvent::streamVersion).containsExactly(1L, 2L, 3L, 4L);
        assertThat(store.readStreamForward("game-1", 9, 4)).extracting(RecordedEvent::streamVersion).containsExactly(9L, 10L);
        assertThat(store.readStreamForward("game-1", 11, 4)).isEmpty();
        assertThat(store.readStreamBackward("game-1", EventStore.END, 3)).extracting(RecordedEvent::streamVersion)
                .containsExactly(10L, 9L, 8L);
        assertThat(store.readStreamBackward("game-1", 2, 5)).extracting(RecordedEvent::streamVersion).containsExactly(2L, 1L);
        assertThat(store.readStreamForward("game-2", 1, 100)).allMatch(e -> e.streamId().equals("game-2")).hasSize(3);
    }

    @Test
    void readingAStreamThatDoesNotExistIsNotFound(EventStore store) {
        assertThatThrownBy(() -> store.readStreamForward("game-404", 1, 10)).isInstanceOf(StreamNotFoundException.class)
                .hasMessage("stream 'game-404' not found");
        assertThatThrownBy(() -> store.readStreamBackward("game-404", EventStore.END, 10)).isInstanceOf(StreamNotFoundException.class);
        assertThatThrownBy(() -> store.streamEvents("game-404")).isInstanceOf(StreamNotFoundException.class);
        assertThat(store.streamInfo("game-404")).isEmpty();
    }

    @Test
    void streamsAWholeStreamThroughACursor() {
        // A fetch size of 7 makes the cursor go back to the server many times for 100 events.
        EventStore store = EventStore.builder(SharedStoreExtension.eventStore().dataSource()).fetchSize(7).build();
        createTestStream("game-1", 100);
        List<Long> versions = new ArrayList<>();
        try (Stream<RecordedEvent> events = store.streamEvents("game-1", 51)) {
            events.forEach(e -> versions.add(e.streamVersion()));
        }
        assertThat(versions).hasSize(50).first().isEqualTo(51L);
        assertThat(versions).isSorted().last().isEqualTo(100L);

        long[] sum = {0};
        assertThat(store.forEachEvent("game-1", 0, e -> sum[0] += e.streamVersion())).isEqualTo(100);
        assertThat(sum[0]).isEqualTo(5050);
    }

    /** A stream closed half-way gives its connection back: many more reads than the pool has connections succeed. */
    @Test
    void closingAStreamEarlyReleasesItsConnection(EventStore store) {
        createTestStream("game-1", 20);
        for (int i = 0; i < 40; i++) {
            try (Stream<RecordedEvent> events = store.streamEvents("game-1")) {
                assertThat(events.limit(3).count()).isEqualTo(3);
            }
        }
        assertThat(store.readStreamForward("game-1", 1, 1)).hasSize(1);
    }

    @Test
    void readAllForwardPagesByEventIdAcrossStreams(EventStore store) {
        AppendResult a = createTestStream("game-a", 3);
        AppendResult b = createTestStream("game-b", 2);
        List<RecordedEvent> all = store.readAllForward(0, 100);
        assertThat(all).extracting(RecordedEvent::eventId).isSorted()
                .containsExactly(a.eventIds().get(0), a.eventIds().get(1), a.eventIds().get(2), b.eventIds().get(0), b.eventIds().get(1));
        assertThat(store.readAllForward(a.eventIds().get(2), 2)).extracting(RecordedEvent::eventId)
                .containsExactly(a.eventIds().get(2), b.eventIds().get(0));
    }
}
