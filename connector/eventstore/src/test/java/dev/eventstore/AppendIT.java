package dev.eventstore;

import static dev.eventstore.testing.SharedStoreExtension.createTestEvent;
import static dev.eventstore.testing.SharedStoreExtension.createTestEvents;
import static dev.eventstore.testing.SharedStoreExtension.createTestStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.schema.StoreCounts;
import dev.eventstore.testing.SharedStoreExtension;
import dev.eventstore.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedStoreExtension.class)
class AppendIT {

    @Test
    void appendsABatchAndReadsItBackWithTypesVersionsAndMetadata(EventStore store) {
        EventMetadata metadata = EventMetadata.builder().correlationId("c-1").causationId("cmd-1").actor("player-7")
                .put("shard", 3).build();
        Instant before = Instant.now().minusSeconds(1);
        AppendResult result = store.append("game-1", ExpectedVersion.NO_STREAM, List.of(
                EventData.of("GameStarted", "{\"mode\":\"race\",\"players\":[\"a\",\"b\"]}", metadata),
                EventData.of("RoundStarted", "{\"round\":1}").withEventVersion(2)));

        assertThat(result.firstVersion()).isEqualTo(1);
        assertThat(result.lastVersion()).isEqualTo(2);
        assertThat(result.eventIds()).hasSize(2).isSorted();

        List<RecordedEvent> events = store.readStreamForward("game-1", 1, 10);
        assertThat(events).extracting(RecordedEvent::streamVersion).containsExactly(1L, 2L);
        assertThat(events).extracting(RecordedEvent::eventId).containsExactlyElementsOf(result.eventIds());
        RecordedEvent first = events.get(0);
        assertThat(first.eventType()).isEqualTo("GameStarted");
        assertThat(first.eventVersion()).isEqualTo(1);
        assertThat(first.data()).isEqualTo("{\"mode\": \"race\", \"players\": [\"a\", \"b\"]}");
        assertThat(first.eventMetadata()).isEqualTo(metadata);
        assertThat(first.eventMetadata().correlationId()).isEqualTo("c-1");
        assertThat(first.createdAt()).isBetween(before, Instant.now().plusSeconds(1));
        RecordedEvent second = events.get(1);
        assertThat(second.eventVersion()).isEqualTo(2);
        assertThat(second.metadata()).isNull();

        StreamInfo info = store.streamInfo("game-1").orElseThrow();
        assertThat(info.version()).isEqualTo(2);
        assertThat(info.deleted()).isFalse();
    }

    @Test
    void expectedVersionsAreChecked(EventStore store) {
        EventData event = createTestEvent("TestEvent", "{}");
        assertThatThrownBy(() -> store.append("game-1", ExpectedVersion.STREAM_EXISTS, event))
                .isInstanceOf(WrongExpectedVersionException.class)
                .hasMessage("wrong expected version for stream 'game-1': expected stream exists, actual no stream");
        assertThatThrownBy(() -> store.append("game-1", ExpectedVersion.exactly(1), event))
                .isInstanceOf(WrongExpectedVersionException.class)
                .hasMessage("wrong expected version for stream 'game-1': expected 1, actual no stream");
        assertThat(store.streamInfo("game-1")).isEmpty();

        assertThat(store.append("game-1", ExpectedVersion.exactly(0), event).lastVersion()).isEqualTo(1);
        assertThat(store.append("game-1", ExpectedVersion.STREAM_EXISTS, event).lastVersion()).isEqualTo(2);
        assertThat(store.append("game-1", ExpectedVersion.exactly(2), event).lastVersion()).isEqualTo(3);
        assertThat(store.append("game-1", ExpectedVersion.ANY, event).lastVersion()).isEqualTo(4);

        WrongExpectedVersionException noStream = (WrongExpectedVersionException) org.assertj.core.api.Assertions
                .catchThrowable(() -> store.append("game-1", ExpectedVersion.NO_STREAM, event));
        assertThat(noStream).hasMessage("wrong expected version for stream 'game-1': expected no stream, actual 4");
        assertThat(noStream.actualVersion()).isEqualTo(4);
        assertThat(noStream.streamExists()).isTrue();
        assertThat(noStream.expected()).isEqualTo(ExpectedVersion.NO_STREAM);

        assertThatThrownBy(() -> store.append("game-1", ExpectedVersion.exactly(3), event))
                .isInstanceOf(WrongExpectedVersionException.class)
                .hasMessage("wrong expected version for stream 'game-1': expected 3, actual 4");
        assertThat(store.streamInfo("game-1").orElseThrow().version()).isEqualTo(4);
    }

    @Test
    void appendsEightThousandAndOneEventsInOneCall(EventStore store) {
        List<EventData> events = createTestEvents(8_001);
        AppendResult result = store.append("big-1", ExpectedVersion.NO_STREAM, events);

        assertThat(result.firstVersion()).isEqualTo(1);
        assertThat(result.lastVersion()).isEqualTo(8_001);
        assertThat(result.eventIds()).hasSize(8_001).doesNotHaveDuplicates();
        List<Long> versions = new ArrayList<>();
        try (var stream = store.streamEvents("big-1")) {
            stream.forEach(e -> versions.add(e.streamVersion()));
        }
        assertThat(versions).hasSize(8_001);
        for (int i = 0; i < versions.size(); i++) {
            assertThat(versions.get(i)).isEqualTo(i + 1L);
        }
        assertThat(store.readStreamForward("big-1", 8_001, 5)).singleElement()
                .satisfies(e -> assertThat(e.data()).isEqualTo("{\"n\": 8001}"));
    }

    /**
     * All or nothing inside PostgreSQL: a trigger (added for this test only) refuses the batch's
     * last row after 8,000 rows are in; none of them, nor the stream's row, may remain.
     */
    @Test
    void eightThousandAndOneEventsAreAllOrNothing(EventStore store) throws Exception {
        createTestStream("other-1", 1);
        String schema = store.schema().value();
        try (Connection connection = TestDatabase.get().connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE FUNCTION " + schema + ".poison_test() RETURNS trigger LANGUAGE plpgsql AS $$"
                    + " BEGIN IF NEW.event_type = 'Poison' THEN RAISE EXCEPTION 'poisoned at version %', NEW.stream_version; END IF;"
                    + " RETURN NEW; END $$");
            statement.execute("CREATE TRIGGER poison_test BEFORE INSERT ON " + schema + ".events"
                    + " FOR EACH ROW EXECUTE FUNCTION " + schema + ".poison_test()");
        }
        try {
            List<EventData> events = new ArrayList<>(createTestEvents(8_000));
            events.add(createTestEvent("Poison", "{}"));
            assertThatThrownBy(() -> store.append("big-1", ExpectedVersion.ANY, events))
                    .isInstanceOf(EventStoreException.class)
                    .hasMessageContaining("poisoned at version 8001");
        } finally {
            TestDatabase.get().execute("DROP TRIGGER poison_test ON " + schema + ".events",
                    "DROP FUNCTION " + schema + ".poison_test()");
        }
        assertThat(store.streamInfo("big-1")).isEmpty();
        assertThat(SharedStoreExtension.counts()).isEqualTo(new StoreCounts(1, 1, 0));
    }

    @Test
    void appendOnTheCallersTransactionRollsBackWithIt(EventStore store) throws Exception {
        try (Connection connection = store.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            store.append(connection, "game-tx", ExpectedVersion.NO_STREAM, List.of(createTestEvent("TestEvent", "{}")));
            connection.rollback();
            connection.setAutoCommit(true);
        }
        assertThat(store.streamInfo("game-tx")).isEmpty();
    }

    @Test
    void createdAtIsUtcWhateverTheSessionTimeZone() throws Exception {
        EventStore store = EventStore.builder(TestDatabase.get().dataSource()).build();
        try (Connection connection = TestDatabase.get().connect()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET LOCAL TimeZone = 'Pacific/Kiritimati'");  // UTC+14
            }
            store.append(connection, "tz-1", ExpectedVersion.ANY, List.of(createTestEvent("TestEvent", Map.of("a", 1))));
            connection.commit();
        }
        Instant createdAt = store.readStreamForward("tz-1", 1, 1).get(0).createdAt();
        assertThat(Duration.between(createdAt, Instant.now()).abs()).isLessThan(Duration.ofMinutes(5));
        assertThat(Duration.between(store.streamInfo("tz-1").orElseThrow().createdAt(), Instant.now()).abs())
                .isLessThan(Duration.ofMinutes(5));
    }

    /** A writer that bypasses append_to_stream (raw INSERT) is caught by the unique constraint, mapped by its name. */
    @Test
    void conflictWithAWriterThatBypassedTheFunctionIsAWrongExpectedVersion(EventStore store) {
        createTestStream("game-raw", 1);
        TestDatabase.get().execute("INSERT INTO " + store.schema() + ".events (stream_id, stream_version, event_type, data)"
                + " VALUES ('game-raw', 2, 'Raw', '{}')");
        assertThatThrownBy(() -> store.append("game-raw", ExpectedVersion.exactly(1), createTestEvent("TestEvent", "{}")))
                .isInstanceOf(WrongExpectedVersionException.class)
                .hasMessage("wrong expected version for stream 'game-raw': expected 1, another writer appended to the"
                        + " stream concurrently (uq_events_stream_version)");
        assertThat(store.streamInfo("game-raw").orElseThrow().version()).isEqualTo(1);
    }

    /**
     * One event to an existing stream takes the library's one-statement path; it must write what
     * {@code append_to_stream} writes for the same event (called directly here on a twin stream),
     * and keep the stream's row and the event on the transaction's one timestamp.
     */
    @Test
    void oneEventToAnExistingStreamIsWrittenAsTheFunctionWritesIt(EventStore store) throws Exception {
        createTestStream("fast-1", 2);
        createTestStream("function-1", 2);
        EventData event = EventData.of("GuessProcessed", "{\"guess\": 7}",
                EventMetadata.builder().correlationId("c-9").actor("player-2").build()).withEventVersion(3);
        String schema = store.schema().value();
        try (Connection connection = TestDatabase.get().connect()) {
            connection.setAutoCommit(false);
            AppendResult fast = store.append(connection, "fast-1", ExpectedVersion.exactly(2), List.of(event));
            assertThat(fast.firstVersion()).isEqualTo(3);
            assertThat(fast.lastVersion()).isEqualTo(3);
            try (Statement statement = connection.createStatement();
                 var rs = statement.executeQuery("SELECT s.updated_at = e.created_at AND e.created_at = (now() AT TIME ZONE 'UTC'),"
                         + " e.event_id FROM " + schema + ".event_streams s JOIN " + schema + ".events e USING (stream_id)"
                         + " WHERE s.stream_id = 'fast-1' AND e.stream_version = 3")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBoolean(1)).as("stream updated_at = event created_at = transaction start").isTrue();
                assertThat(fast.eventIds()).containsExactly(rs.getLong(2));
            }
            connection.commit();
        }
        TestDatabase.get().execute("SELECT " + schema + ".append_to_stream('function-1', 2, ARRAY['GuessProcessed'], ARRAY[3],"
                + " ARRAY['{\"guess\": 7}'::jsonb], ARRAY['" + event.metadata() + "'::jsonb])");

        RecordedEvent viaLibrary = store.readStreamForward("fast-1", 3, 1).get(0);
        RecordedEvent viaFunction = store.readStreamForward("function-1", 3, 1).get(0);
        assertThat(viaLibrary.streamVersion()).isEqualTo(viaFunction.streamVersion()).isEqualTo(3);
        assertThat(viaLibrary.eventType()).isEqualTo(viaFunction.eventType());
        assertThat(viaLibrary.eventVersion()).isEqualTo(viaFunction.eventVersion()).isEqualTo(3);
        assertThat(viaLibrary.data()).isEqualTo(viaFunction.data());
        assertThat(viaLibrary.metadata()).isEqualTo(viaFunction.metadata()).isNotNull();
        assertThat(store.streamInfo("fast-1").orElseThrow().version()).isEqualTo(3);
        assertThat(store.streamInfo("fast-1").orElseThrow().updatedAt()).isEqualTo(viaLibrary.createdAt());
    }

    /**
     * When the one-statement path writes nothing, append_to_stream decides: a new stream is created
     * (ANY, exactly 0), a moved one is a conflict naming both versions, and in the caller's
     * transaction the failed first attempt leaves nothing behind to roll back.
     */
    @Test
    void oneEventThatTheShortPathCannotWriteIsDecidedByTheFunction(EventStore store) throws Exception {
        EventData event = createTestEvent("TestEvent", "{}");
        assertThat(store.append("new-any", ExpectedVersion.ANY, event).lastVersion()).isEqualTo(1);
        assertThat(store.append("new-zero", ExpectedVersion.exactly(0), event).lastVersion()).isEqualTo(1);
        assertThatThrownBy(() -> store.append("new-any", ExpectedVersion.exactly(0), event))
                .isInstanceOf(WrongExpectedVersionException.class)
                .hasMessage("wrong expected version for stream 'new-any': expected 0, actual 1");
        try (Connection connection = TestDatabase.get().connect()) {
            connection.setAutoCommit(false);
            AppendResult created = store.append(connection, "new-tx", ExpectedVersion.ANY, List.of(event));
            AppendResult next = store.append(connection, "new-tx", ExpectedVersion.exactly(1), List.of(event));
            assertThat(created.lastVersion()).isEqualTo(1);
            assertThat(next.lastVersion()).isEqualTo(2);
            connection.commit();
        }
        assertThat(store.readStreamForward("new-tx", 1, 10)).extracting(RecordedEvent::streamVersion).containsExactly(1L, 2L);
        assertThat(store.streamInfo("new-any").orElseThrow().version()).isEqualTo(1);
    }
}
