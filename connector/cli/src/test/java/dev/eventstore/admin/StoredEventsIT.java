package dev.eventstore.admin;

import static dev.eventstore.testing.SharedStoreExtension.createTestEvents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.EventStore;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.RecordedEvent;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.SharedStoreExtension;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Pages read ahead on a thread of their own: every event once, in order, across page ends; a failing caller stops the reader and gets its own exception. */
@ExtendWith(SharedStoreExtension.class)
class StoredEventsIT {

    private static final int EVENTS = 2 * StoredEvents.PAGE + 1;

    @Test
    void readsEveryEventOnceInOrderAcrossPages(EventStore store) throws Exception {
        appendInterleaved(store);
        StoredEvents stored = new StoredEvents(store.dataSource(), store.schema());

        List<RecordedEvent> all = new ArrayList<>();
        assertThat(stored.forEach(EventSelection.all(), all::add)).isEqualTo(2L * EVENTS);
        assertThat(all).extracting(RecordedEvent::eventId).isSorted().doesNotHaveDuplicates().hasSize(2 * EVENTS);

        List<RecordedEvent> stream = new ArrayList<>();
        assertThat(stored.forEach(EventSelection.stream("game-b"), stream::add)).isEqualTo(EVENTS);
        for (int i = 0; i < EVENTS; i++) {
            assertThat(stream.get(i).streamId()).isEqualTo("game-b");
            assertThat(stream.get(i).streamVersion()).isEqualTo(i + 1L);
        }

        List<RecordedEvent> from = new ArrayList<>();
        long middle = all.get(EVENTS).eventId();
        assertThat(stored.forEach(EventSelection.fromEventId(middle), from::add)).isEqualTo(EVENTS);
        assertThat(from.get(0).eventId()).isEqualTo(middle);
    }

    @Test
    void aCallerThatFailsStopsTheReadAndGetsItsOwnException(EventStore store) throws Exception {
        appendInterleaved(store);
        StoredEvents stored = new StoredEvents(store.dataSource(), store.schema());
        int[] seen = {0};

        assertThatThrownBy(() -> stored.forEach(EventSelection.all(), event -> {
            if (++seen[0] == StoredEvents.PAGE + 7) {
                throw new IllegalStateException("Kafka refused a record");
            }
        })).isInstanceOf(IllegalStateException.class).hasMessage("Kafka refused a record");

        assertThat(seen[0]).isEqualTo(StoredEvents.PAGE + 7);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals(StoredEvents.READER_THREAD));
    }

    /** PostgreSQL failing under the reader reaches the caller as the SQLException it was, and ends the reader. */
    @Test
    @Timeout(60) // a failure lost on the reader's thread would leave the caller waiting for pages
    void aFailingReadReachesTheCaller(EventStore store) {
        StoredEvents missing = new StoredEvents(store.dataSource(), SchemaName.of("no_such_schema"));
        List<RecordedEvent> seen = new ArrayList<>();

        assertThatThrownBy(() -> missing.forEach(EventSelection.all(), seen::add)).isInstanceOf(SQLException.class)
                .hasMessageContaining("no_such_schema");
        assertThatThrownBy(() -> missing.forEach(EventSelection.stream("game-a"), seen::add)).isInstanceOf(SQLException.class)
                .hasMessageContaining("no_such_schema");

        assertThat(seen).isEmpty();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals(StoredEvents.READER_THREAD));
    }

    /** Two streams whose events alternate in id order, in batches so that a page ends mid-stream. */
    private static void appendInterleaved(EventStore store) {
        for (int version = 0; version < EVENTS; version += 1_000) {
            int n = Math.min(1_000, EVENTS - version);
            ExpectedVersion expected = version == 0 ? ExpectedVersion.NO_STREAM : ExpectedVersion.exactly(version);
            store.append("game-a", expected, createTestEvents(n));
            store.append("game-b", expected, createTestEvents(n));
        }
    }
}
