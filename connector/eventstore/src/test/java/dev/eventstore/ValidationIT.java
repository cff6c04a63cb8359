package dev.eventstore;

import static dev.eventstore.testing.SharedStoreExtension.createTestEvent;
import static dev.eventstore.testing.SharedStoreExtension.createTestStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.schema.StoreCounts;
import dev.eventstore.testing.SharedStoreExtension;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad input: a one-line message naming the event's index and the reason, and nothing written.
 * Each test starts from a stream {@code game-1} at version 2 and checks that it is still exactly
 * that afterwards (and that no other stream or event appeared).
 */
@ExtendWith(SharedStoreExtension.class)
class ValidationIT {

    private static final StoreCounts BEFORE = new StoreCounts(2, 1, 0);

    private final EventStore store = SharedStoreExtension.eventStore();

    @BeforeEach
    void twoEvents() {
        createTestStream("game-1", 2);
        assertThat(SharedStoreExtension.counts()).isEqualTo(BEFORE);
    }

    private static List<EventData> batch(EventData bad) {
        List<EventData> events = new ArrayList<>();
        events.add(createTestEvent("TestEvent", "{\"ok\":1}"));
        events.add(createTestEvent("TestEvent", "{\"ok\":2}"));
        events.add(bad);
        return events;
    }

    private static void refused(ThrowingCallable append, Class<? extends Throwable> type, String message) {
        assertThatThrownBy(append).isInstanceOf(type).hasMessage(message);
        assertThat(message).doesNotContain("\n");
        assertThat(SharedStoreExtension.counts()).isEqualTo(BEFORE);
        assertThat(SharedStoreExtension.eventStore().streamInfo("game-1").orElseThrow().version()).isEqualTo(2);
    }

    private void refusedEvent(EventData bad, String message) {
        refused(() -> store.append("game-1", ExpectedVersion.ANY, batch(bad)), InvalidEventException.class, message);
    }

    @Test
    void emptyStreamId() {
        refused(() -> store.append("", ExpectedVersion.ANY, batch(createTestEvent("TestEvent", "{}"))),
                InvalidRequestException.class, "invalid stream id: the stream id is empty");
        refused(() -> store.append(null, ExpectedVersion.ANY, batch(createTestEvent("TestEvent", "{}"))),
                InvalidRequestException.class, "invalid stream id: the stream id is missing");
    }

    @Test
    void whitespaceOnlyStreamId() {
        refused(() -> store.append(" \t ", ExpectedVersion.ANY, batch(createTestEvent("TestEvent", "{}"))),
                InvalidRequestException.class, "invalid stream id ' \\u0009 ': the stream id is only whitespace");
    }

    @Test
    void overLongStreamId() {
        String id = "g".repeat(Limits.MAX_STREAM_ID_LENGTH + 1);
        refused(() -> store.append(id, ExpectedVersion.ANY, batch(createTestEvent("TestEvent", "{}"))),
                InvalidRequestException.class,
                "invalid stream id '" + "g".repeat(80) + "... (256 characters)': the stream id is 256 characters, the limit is 255");
        // The limit itself is accepted, counted in characters (code points), not bytes.
        String longest = "é".repeat(Limits.MAX_STREAM_ID_LENGTH);
        assertThat(store.append(longest, ExpectedVersion.ANY, createTestEvent("TestEvent", "{}")).lastVersion()).isEqualTo(1);
    }

    @Test
    void controlCharacterInStreamId() {
        refused(() -> store.append("game\n1", ExpectedVersion.ANY, batch(createTestEvent("TestEvent", "{}"))),
                InvalidRequestException.class,
                "invalid stream id 'game\\u000A1': the stream id contains a control character (U+000A at index 4)");
    }

    @Test
    void emptyBatch() {
        refused(() -> store.append("game-1", ExpectedVersion.ANY, List.of()),
                InvalidRequestException.class, "append to stream 'game-1': the batch holds no events");
        refused(() -> store.append("game-1", ExpectedVersion.ANY, (List<EventData>) null),
                InvalidRequestException.class, "append to stream 'game-1': the batch holds no events");
    }

    @Test
    void negativeOrNonNumericExpectedVersion() {
        refused(() -> store.append("game-1", ExpectedVersion.exactly(-1), batch(createTestEvent("TestEvent", "{}"))),
                InvalidRequestException.class, "invalid expected version -1: a stream version is 0 or more");
        refused(() -> store.append("game-1", ExpectedVersion.parse("two"), batch(createTestEvent("TestEvent", "{}"))),
                InvalidRequestException.class,
                "invalid expected version 'two': use any, no_stream, stream_exists or a version number");
        refused(() -> store.append("game-1", null, batch(createTestEvent("TestEvent", "{}"))),
                InvalidRequestException.class,
                "the expected version is missing: use ExpectedVersion.ANY, NO_STREAM, STREAM_EXISTS or exactly(n)");
    }

    @Test
    void emptyWhitespaceOrOverLongEventType() {
        refusedEvent(createTestEvent("", "{}"), "invalid event at index 2 for stream 'game-1': the event type is empty");
        refusedEvent(createTestEvent("   ", "{}"),
                "invalid event at index 2 for stream 'game-1': the event type is only whitespace");
        refusedEvent(createTestEvent(null, "{}"), "invalid event at index 2 for stream 'game-1': the event type is missing");
        refusedEvent(createTestEvent("T".repeat(256), "{}"),
                "invalid event at index 2 for stream 'game-1': the event type is 256 characters, the limit is 255");
    }

    @Test
    void dataThatIsNotJson() {
        refusedEvent(createTestEvent("TestEvent", "{\"secret\": nope}"),
                "invalid event at index 2 (TestEvent) for stream 'game-1': the data is not valid JSON (line 1, column 12)");
        refusedEvent(createTestEvent("TestEvent", "{\"a\":1} {\"b\":2}"),
                "invalid event at index 2 (TestEvent) for stream 'game-1': the data is not valid JSON (more than one value (line 1, column 9))");
        refusedEvent(createTestEvent("TestEvent", "{\"a\":"),
                "invalid event at index 2 (TestEvent) for stream 'game-1': the data is not valid JSON (line 1, column 6)");
        refusedEvent(createTestEvent("TestEvent", ""),
                "invalid event at index 2 (TestEvent) for stream 'game-1': the data is empty, not JSON");
        refusedEvent(new EventData("TestEvent", 1, null, null),
                "invalid event at index 2 (TestEvent) for stream 'game-1': the data is missing (use {} for an event without data)");
    }

    @Test
    void metadataThatIsNotAJsonObject() {
        refusedEvent(EventData.of("TestEvent", "{}").withMetadataJson("{\"actor\":"),
                "invalid event at index 2 (TestEvent) for stream 'game-1': the metadata is not valid JSON (line 1, column 10)");
        refusedEvent(EventData.of("TestEvent", "{}").withMetadataJson("[1,2]"),
                "invalid event at index 2 (TestEvent) for stream 'game-1': the metadata is not a JSON object");
    }

    /** PostgreSQL's jsonb refuses \u0000 ("unsupported Unicode escape sequence"): caught before the call. */
    @Test
    void jsonThatPostgresRefuses() {
        refusedEvent(createTestEvent("TestEvent", "{\"name\":\"a\\u0000b\"}"),
                "invalid event at index 2 (TestEvent) for stream 'game-1': the data contains \\u0000,"
                        + " which PostgreSQL cannot store in jsonb (line 1, column 9)");
        refusedEvent(createTestEvent("TestEvent", "{\"a\\u0000\":1}"),
                "invalid event at index 2 (TestEvent) for stream 'game-1': the data contains \\u0000,"
                        + " which PostgreSQL cannot store in jsonb (line 1, column 2)");
        refusedEvent(EventData.of("TestEvent", "{}").withMetadataJson("{\"actor\":\"\\u0000\"}"),
                "invalid event at index 2 (TestEvent) for stream 'game-1': the metadata contains \\u0000,"
                        + " which PostgreSQL cannot store in jsonb (line 1, column 10)");
        refusedEvent(createTestEvent("TestEvent", "[\"\\ud83d\"]"),
                "invalid event at index 2 (TestEvent) for stream 'game-1': the data contains an unpaired UTF-16"
                        + " surrogate, which PostgreSQL cannot store in jsonb (line 1, column 2)");
        refusedEvent(createTestEvent("TestEvent", "{\"n\":1e131073}"),
                "invalid event at index 2 (TestEvent) for stream 'game-1': the data contains a number outside"
                        + " PostgreSQL's numeric range (line 1, column 6)");
    }

    @Test
    void eventOverTheSizeLimit() {
        String big = "{\"blob\":\"" + "x".repeat(Limits.DEFAULT_MAX_EVENT_SIZE_BYTES) + "\"}";
        refusedEvent(EventData.of("TestEvent", big),
                "invalid event at index 2 (TestEvent) for stream 'game-1': the event is 1048596 bytes (type, data and"
                        + " metadata as UTF-8), the limit is 1048576 (eventstore.event.max-size-bytes)");
    }

    @Test
    void sizeLimitIsConfigurable() {
        EventStore small = EventStore.builder(store.dataSource()).maxEventSizeBytes(64).build();
        refused(() -> small.append("game-1", ExpectedVersion.ANY, batch(EventData.of("TestEvent", "{\"t\":\"" + "é".repeat(30) + "\"}"))),
                InvalidEventException.class,
                "invalid event at index 2 (TestEvent) for stream 'game-1': the event is 77 bytes (type, data and"
                        + " metadata as UTF-8), the limit is 64 (eventstore.event.max-size-bytes)");
        assertThat(small.append("game-1", ExpectedVersion.ANY, EventData.of("TestEvent", "{\"t\":\"" + "é".repeat(20) + "\"}"))
                .lastVersion()).isEqualTo(3);
    }

    @Test
    void eventVersionBelowOne() {
        refusedEvent(createTestEvent("TestEvent", "{}").withEventVersion(0),
                "invalid event at index 2 (TestEvent) for stream 'game-1': the event version is 0, it must be 1 or more");
    }

    @Test
    void nullEvent() {
        refusedEvent(null, "invalid event at index 2 for stream 'game-1': the event is null");
    }

    @Test
    void invalidEventNamesItsIndexAndReason() {
        InvalidEventException e = (InvalidEventException) org.assertj.core.api.Assertions.catchThrowable(
                () -> store.append("game-1", ExpectedVersion.ANY, batch(createTestEvent("TestEvent", "nope"))));
        assertThat(e.eventIndex()).isEqualTo(2);
        assertThat(e.streamId()).isEqualTo("game-1");
        assertThat(e.reason()).isEqualTo("the data is not valid JSON (line 1, column 1)");
    }

    @Test
    void readArgumentsAreChecked() {
        assertThatThrownBy(() -> store.readStreamForward("game-1", -1, 10)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("invalid from version -1: must be 0 or more");
        assertThatThrownBy(() -> store.readStreamBackward("game-1", EventStore.END, 0)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("invalid max count 0: must be 1 or more");
        assertThatThrownBy(() -> store.readAllForward(-5, 10)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("invalid from event id -5: must be 0 or more");
    }
}
