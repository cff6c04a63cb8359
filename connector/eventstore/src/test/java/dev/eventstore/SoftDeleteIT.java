package dev.eventstore;

import static dev.eventstore.testing.SharedStoreExtension.createTestEvent;
import static dev.eventstore.testing.SharedStoreExtension.createTestStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.testing.SharedStoreExtension;
import dev.eventstore.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Soft delete: the row's deleted_at is set, appends and stream reads are refused, events stay. */
@ExtendWith(SharedStoreExtension.class)
class SoftDeleteIT {

    @Test
    void deletedStreamRefusesAppendsAndReadsAndKeepsItsEvents(EventStore store) throws Exception {
        createTestStream("game-1", 3);
        Instant deletedAt = store.deleteStream("game-1", ExpectedVersion.exactly(3));
        assertThat(Duration.between(deletedAt, Instant.now()).abs()).isLessThan(Duration.ofMinutes(5));

        try (Connection connection = TestDatabase.get().connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT deleted_at, stream_version FROM " + store.schema()
                     + ".event_streams WHERE stream_id = 'game-1'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getObject(1)).isNotNull();
            assertThat(rs.getLong(2)).isEqualTo(3);
        }
        StreamInfo info = store.streamInfo("game-1").orElseThrow();
        assertThat(info.deleted()).isTrue();
        assertThat(info.deletedAt()).isEqualTo(deletedAt);
        assertThat(info.version()).isEqualTo(3);

        for (ExpectedVersion expected : new ExpectedVersion[] {ExpectedVersion.ANY, ExpectedVersion.exactly(3),
                ExpectedVersion.STREAM_EXISTS, ExpectedVersion.NO_STREAM}) {
            assertThatThrownBy(() -> store.append("game-1", expected, createTestEvent("TestEvent", "{}")))
                    .isInstanceOf(StreamDeletedException.class)
                    .hasMessageStartingWith("stream 'game-1' is deleted (at ")
                    .hasMessageEndingWith(" UTC): appends are refused");
        }
        assertThatThrownBy(() -> store.readStreamForward("game-1", 1, 10)).isInstanceOf(StreamDeletedException.class)
                .hasMessageStartingWith("stream 'game-1' is deleted");
        assertThatThrownBy(() -> store.readStreamBackward("game-1", EventStore.END, 10)).isInstanceOf(StreamDeletedException.class);
        assertThatThrownBy(() -> store.streamEvents("game-1")).isInstanceOf(StreamDeletedException.class);
        assertThatThrownBy(() -> store.deleteStream("game-1", ExpectedVersion.ANY)).isInstanceOf(StreamDeletedException.class)
                .hasMessageStartingWith("stream 'game-1' is already deleted");

        // The events stay: export still sees them, and nothing was appended.
        assertThat(store.readAllForward(0, 100)).extracting(RecordedEvent::streamId).containsOnly("game-1").hasSize(3);
        assertThat(store.streamInfo("game-1").orElseThrow().version()).isEqualTo(3);
    }

    @Test
    void deleteChecksTheExpectedVersion(EventStore store) {
        createTestStream("game-1", 2);
        assertThatThrownBy(() -> store.deleteStream("game-1", ExpectedVersion.exactly(1)))
                .isInstanceOf(WrongExpectedVersionException.class)
                .hasMessage("wrong expected version for stream 'game-1': expected 1, actual 2");
        assertThatThrownBy(() -> store.deleteStream("game-1", ExpectedVersion.NO_STREAM))
                .isInstanceOf(WrongExpectedVersionException.class)
                .hasMessage("wrong expected version for stream 'game-1': expected no stream, actual 2");
        assertThat(store.streamInfo("game-1").orElseThrow().deleted()).isFalse();
        store.deleteStream("game-1", ExpectedVersion.STREAM_EXISTS);
        assertThat(store.streamInfo("game-1").orElseThrow().deleted()).isTrue();
    }

    @Test
    void deletingAStreamThatDoesNotExistIsNotFound(EventStore store) {
        assertThatThrownBy(() -> store.deleteStream("game-404", ExpectedVersion.ANY))
                .isInstanceOf(StreamNotFoundException.class)
                .hasMessage("stream 'game-404' not found");
        assertThat(store.streamInfo("game-404")).isEmpty();
    }
}
