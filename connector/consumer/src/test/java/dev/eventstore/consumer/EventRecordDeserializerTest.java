package dev.eventstore.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventstore.EventMetadata;
import dev.eventstore.RecordedEvent;
import dev.eventstore.connect.EventRecordHeaders;
import dev.eventstore.consumer.MalformedEventRecordException.Problem;
import dev.eventstore.serializer.EventSerializer;
import dev.eventstore.serializer.EventTypeRegistry;
import dev.eventstore.serializer.Upcaster;
import dev.eventstore.simulation.GameEvents;
import dev.eventstore.simulation.GameMode;
import dev.eventstore.simulation.GameStarted;
import dev.eventstore.simulation.GuessProcessed;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventRecordDeserializerTest {

    /** Player data that must never appear in an error message. */
    private static final String PLAYER = "player-SECRET-7731";
    private static final String TOPIC = "eventstore.game";
    private static final Instant CREATED_AT = Instant.parse("2024-05-01T12:34:56.789012Z");

    private final EventSerializer serializer = GameEvents.serializer();
    private final EventRecordDeserializer deserializer = new EventRecordDeserializer(serializer);

    private RecordedEvent gameStarted() {
        GameStarted started = new GameStarted("game-42", GameMode.RACE, List.of(PLAYER, "player-2"), 5, CREATED_AT);
        String metadata = EventMetadata.builder().correlationId("game-42").causationId("cmd-1").actor(PLAYER).build().toJson();
        return new RecordedEvent(1234, "game-42", 1, GameStarted.TYPE, 1, serializer.serialize(started), metadata, CREATED_AT);
    }

    private ConsumedEvent read(ProducerRecord<String, byte[]> record) {
        return deserializer.deserialize(record.topic(), record.headers(), record.value());
    }

    @Test
    void readsABinaryRecordIntoItsTypedEvent() {
        RecordedEvent stored = gameStarted();
        ConsumedEvent event = read(EventRecords.binary(stored, TOPIC));

        assertThat(event.eventId()).isEqualTo(1234);
        assertThat(event.streamId()).isEqualTo("game-42");
        assertThat(event.streamVersion()).isEqualTo(1);
        assertThat(event.eventType()).isEqualTo(GameStarted.TYPE);
        assertThat(event.eventVersion()).isEqualTo(1);
        assertThat(event.dataVersion()).isEqualTo(1);
        assertThat(event.upcast()).isFalse();
        assertThat(event.createdAt()).isEqualTo(CREATED_AT);
        assertThat(event.metadata()).isEqualTo(stored.metadata());
        assertThat(event.eventMetadata().correlationId()).isEqualTo("game-42");
        assertThat(event.data()).isEqualTo(serializer.deserialize(stored));
        assertThat(event.data(GameStarted.class).players()).containsExactly(PLAYER, "player-2");
        assertThat(event.topic()).isEqualTo(TOPIC);
        assertThat(event.partition()).isEqualTo(ConsumedEvent.NO_PARTITION);
        assertThat(event.hasPosition()).isFalse();
        assertThat(event.withPosition(TOPIC, 2, 17).position()).isEqualTo("eventstore.game-2@17");
        assertThat(event.toString()).as("toString: no player data").doesNotContain(PLAYER);
    }

    @Test
    void readsAStructuredRecordIntoTheSameEvent() {
        RecordedEvent stored = gameStarted();
        ConsumedEvent binary = read(EventRecords.binary(stored, TOPIC));
        ConsumedEvent structured = read(EventRecords.structured(stored, TOPIC));

        assertThat(structured).isEqualTo(binary);
    }

    /** The content type is compared as bytes, in any case, by its prefix (parameters may follow). */
    @Test
    void readsAStructuredRecordWhateverTheCaseOfItsContentType() {
        RecordedEvent stored = gameStarted();
        ProducerRecord<String, byte[]> record = EventRecords.structured(stored, TOPIC);
        RecordHeaders headers = new RecordHeaders();
        EventRecords.add(headers, EventRecordHeaders.CONTENT_TYPE, "Application/CloudEvents+JSON; charset=utf-8");

        assertThat(deserializer.deserialize(TOPIC, headers, record.value())).isEqualTo(read(EventRecords.binary(stored, TOPIC)));
        RecordHeaders shorter = new RecordHeaders();
        EventRecords.add(shorter, EventRecordHeaders.CONTENT_TYPE, "application/cloudevents");
        assertMalformed(shorter, new String(record.value(), StandardCharsets.UTF_8), Problem.MISSING_HEADER,
                "header ce_id is missing");
    }

    /**
     * Upcasting, as a game server does it when an event's schema changes: the game's events are at
     * version 1; a later GuessProcessed version 2 adds the hints the player used. The code registers
     * the new class at version 2 and one upcaster per step (1 to 2). Stored events are never
     * rewritten: a version-1 record is read into the version-2 class, and the event says both.
     */
    record GuessProcessedV2(String gameId, int round, String playerId, String guess, boolean correct, int attempt,
                            int points, int hintsUsed) {
    }

    /** Version 1 to 2: a guess written before hints existed used none. */
    static final Upcaster HINTS_FROM_V1 = data -> ((ObjectNode) data).put("hintsUsed", 0);

    /** The game's registry as the code of version 2 builds it. */
    private static EventSerializer serializerAtVersionTwo() {
        return new EventSerializer(EventTypeRegistry.builder()
                .register(GameStarted.TYPE, GameStarted.class)
                .register(GuessProcessed.TYPE, 2, GuessProcessedV2.class)
                .upcaster(GuessProcessed.TYPE, 1, HINTS_FROM_V1)
                .build());
    }

    @Test
    void upcastsAnOlderVersionAndSaysWhichVersionIsWhich() {
        GuessProcessed written = new GuessProcessed("game-42", 2, PLAYER, "apple", true, 1, GuessProcessed.FIRST_ATTEMPT_POINTS);
        RecordedEvent stored = new RecordedEvent(99, "game-42", 7, GuessProcessed.TYPE, 1, serializer.serialize(written),
                null, CREATED_AT);
        EventRecordDeserializer newer = new EventRecordDeserializer(serializerAtVersionTwo());

        ConsumedEvent event = newer.deserialize(TOPIC, EventRecords.binaryHeaders(stored), bytes(stored.data()));

        assertThat(event.eventVersion()).as("as written").isEqualTo(1);
        assertThat(event.dataVersion()).as("after upcasting").isEqualTo(2);
        assertThat(event.upcast()).isTrue();
        assertThat(event.metadata()).isNull();
        assertThat(event.data()).isEqualTo(new GuessProcessedV2("game-42", 2, PLAYER, "apple", true, 1,
                GuessProcessed.FIRST_ATTEMPT_POINTS, 0));

        // The same code reads version 2 as written, without upcasting.
        RecordedEvent current = new RecordedEvent(100, "game-42", 8, GuessProcessed.TYPE, 2,
                "{\"gameId\":\"game-42\",\"round\":3,\"playerId\":\"player-2\",\"guess\":\"pear\",\"correct\":true,"
                        + "\"attempt\":2,\"points\":8,\"hintsUsed\":1}", null, CREATED_AT);
        ConsumedEvent read = newer.deserialize(TOPIC, EventRecords.binaryHeaders(current), bytes(current.data()));
        assertThat(read.upcast()).isFalse();
        assertThat(read.data()).isEqualTo(new GuessProcessedV2("game-42", 3, "player-2", "pear", true, 2, 8, 1));

        // The simulation's own code (version 1) reads the same record without any upcaster.
        ConsumedEvent asWritten = read(EventRecords.binary(stored, TOPIC));
        assertThat(asWritten.upcast()).isFalse();
        assertThat(asWritten.dataVersion()).isEqualTo(1);
        assertThat(asWritten.data()).isEqualTo(written);
    }

    @Test
    void leniencyDeliversAnUnknownTypeAsAJsonTree() {
        RecordedEvent stored = new RecordedEvent(5, "chat-1", 1, "MessagePosted", 3, "{\"text\":\"hi\"}", null, CREATED_AT);
        EventRecordDeserializer lenient = new EventRecordDeserializer(serializer, false);

        ConsumedEvent event = lenient.deserialize(TOPIC, EventRecords.binaryHeaders(stored), bytes(stored.data()));

        assertThat(event.data()).isInstanceOf(JsonNode.class);
        assertThat(((JsonNode) event.data()).get("text").asText()).isEqualTo("hi");
        assertThat(event.eventVersion()).isEqualTo(3);
        assertThat(event.dataVersion()).isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ce_id", "ce_type", "ce_subject", "ce_streamversion", "ce_eventversion", "ce_time"})
    void aMissingHeaderIsNamed(String header) {
        Headers headers = EventRecords.binaryHeaders(gameStarted());
        headers.remove(header);

        assertMalformed(headers, gameStarted().data(), Problem.MISSING_HEADER, "header " + header + " is missing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ce_id", "ce_streamversion", "ce_eventversion"})
    void aNonNumericNumberIsNamed(String header) {
        Headers headers = EventRecords.binaryHeaders(gameStarted());
        headers.remove(header);
        EventRecords.add(headers, header, PLAYER);

        assertMalformed(headers, gameStarted().data(), Problem.INVALID_HEADER, "header " + header + " is not a whole number");
    }

    @Test
    void anEventVersionBeyondAnIntIsNamed() {
        Headers headers = EventRecords.binaryHeaders(gameStarted());
        headers.remove(EventRecordHeaders.EVENT_VERSION);
        EventRecords.add(headers, EventRecordHeaders.EVENT_VERSION, Long.toString(Integer.MAX_VALUE + 1L));

        assertMalformed(headers, gameStarted().data(), Problem.INVALID_HEADER, "header ce_eventversion is too large");
    }

    @Test
    void theLastHeaderOfANameWinsAsWithLastHeader() {
        Headers headers = EventRecords.binaryHeaders(gameStarted());
        EventRecords.add(headers, EventRecordHeaders.STREAM_VERSION, "7");
        EventRecords.add(headers, EventRecordHeaders.ID, " 99 ");
        EventRecords.add(headers, EventRecordHeaders.TIME, "2024-05-01T14:34:56.789012+02:00");

        ConsumedEvent event = deserializer.deserialize(TOPIC, headers, gameStarted().data().getBytes(StandardCharsets.UTF_8));

        assertThat(event.streamVersion()).isEqualTo(7);
        assertThat(event.eventId()).as("not plain digits: read through the text, trimmed").isEqualTo(99);
        assertThat(event.createdAt()).as("not the bridge's form: the general parser").isEqualTo(CREATED_AT);
    }

    @Test
    void aVersionBelowOneIsInvalid() {
        Headers headers = EventRecords.binaryHeaders(gameStarted());
        headers.remove(EventRecordHeaders.STREAM_VERSION);
        EventRecords.add(headers, EventRecordHeaders.STREAM_VERSION, "0");

        assertMalformed(headers, gameStarted().data(), Problem.INVALID_HEADER, "header ce_streamversion is below 1");
    }

    @Test
    void anEmptyHeaderIsNamed() {
        Headers headers = EventRecords.binaryHeaders(gameStarted());
        headers.remove(EventRecordHeaders.TYPE);
        headers.add(EventRecordHeaders.TYPE, new byte[0]);

        assertMalformed(headers, gameStarted().data(), Problem.MISSING_HEADER, "header ce_type is empty");
    }

    @Test
    void aTimeThatIsNotRfc3339IsNamed() {
        Headers headers = EventRecords.binaryHeaders(gameStarted());
        headers.remove(EventRecordHeaders.TIME);
        EventRecords.add(headers, EventRecordHeaders.TIME, "yesterday " + PLAYER);

        assertMalformed(headers, gameStarted().data(), Problem.INVALID_HEADER, "header ce_time is not an RFC 3339 time");
    }

    /** Header keys are told apart by length, then by content: same-length keys that are not read stay unread. */
    @Test
    void findsEachReadHeaderByItsKeyAndNoOther() {
        List<String> read = List.of(EventRecordHeaders.CONTENT_TYPE, EventRecordHeaders.SPEC_VERSION, EventRecordHeaders.ID,
                EventRecordHeaders.TYPE, EventRecordHeaders.SUBJECT, EventRecordHeaders.STREAM_VERSION,
                EventRecordHeaders.EVENT_VERSION, EventRecordHeaders.TIME, EventRecordHeaders.METADATA);
        for (String key : read) {
            assertThat(EventRecordDeserializer.slot(key)).as(key).isEqualTo(read.indexOf(key));
        }
        for (String other : List.of(EventRecordHeaders.SOURCE, EventRecordHeaders.CORRELATION_ID,
                EventRecordHeaders.CAUSATION_ID, "CE_ID", "ce_ix", "", "a-header-longer-than-any-read-one")) {
            assertThat(EventRecordDeserializer.slot(other)).as(other).isEqualTo(-1);
        }
    }

    @Test
    void readsTheBridgesTimeFastAndAnyOtherRfc3339TimeToo() {
        assertThat(EventRecordDeserializer.utcTime(bytes("2024-05-01T12:34:56.789012Z"))).isEqualTo(CREATED_AT);
        assertThat(EventRecordDeserializer.utcTime(bytes("1999-12-31T23:59:59.000001Z")))
                .isEqualTo(Instant.parse("1999-12-31T23:59:59.000001Z"));
        assertThat(EventRecordDeserializer.utcTime(bytes("2024-02-30T12:34:56.789012Z"))).as("not a date: the general parser decides").isNull();
        assertThat(EventRecordDeserializer.utcTime(bytes("2024-05-01T14:34:56.789+02:00"))).isNull();
        assertThat(EventRecordDeserializer.utcTime(bytes("2024-05-01T12:34:56.789012Z and more text"))).isNull();

        for (String time : List.of("2024-05-01T14:34:56.789012+02:00", "2024-05-01T12:34:56.789012000Z")) {
            Headers headers = EventRecords.binaryHeaders(gameStarted());
            headers.remove(EventRecordHeaders.TIME);
            EventRecords.add(headers, EventRecordHeaders.TIME, time);
            assertThat(deserializer.deserialize(TOPIC, headers, bytes(gameStarted().data())).createdAt()).as(time)
                    .isEqualTo(CREATED_AT);
        }
        Headers invalid = EventRecords.binaryHeaders(gameStarted());
        invalid.remove(EventRecordHeaders.TIME);
        EventRecords.add(invalid, EventRecordHeaders.TIME, "2024-02-30T12:34:56.789012Z");
        assertMalformed(invalid, gameStarted().data(), Problem.INVALID_HEADER, "header ce_time is not an RFC 3339 time");
    }

    @Test
    void anotherSpecVersionIsRefused() {
        Headers headers = EventRecords.binaryHeaders(gameStarted());
        headers.remove(EventRecordHeaders.SPEC_VERSION);
        EventRecords.add(headers, EventRecordHeaders.SPEC_VERSION, "0.3");

        assertMalformed(headers, gameStarted().data(), Problem.INVALID_HEADER, "header ce_specversion is not 1.0");
    }

    @Test
    void dataThatIsNotJsonIsNamedWithoutItsContents() {
        assertMalformed(EventRecords.binaryHeaders(gameStarted()), "{\"players\": [" + PLAYER, Problem.NOT_JSON,
                "the value is not valid JSON (line 1");
        assertMalformed(EventRecords.binaryHeaders(gameStarted()), PLAYER + " joined", Problem.NOT_JSON,
                "the value is not valid JSON");
        assertMalformed(EventRecords.binaryHeaders(gameStarted()), "", Problem.NOT_JSON, "the value is empty");
    }

    @Test
    void dataOfTheWrongShapeNamesTheTypeAndProperty() {
        String data = "{\"gameId\":\"game-42\",\"plannedRounds\":\"" + PLAYER + "\"}";

        assertMalformed(EventRecords.binaryHeaders(gameStarted()), data, Problem.UNREADABLE_DATA,
                "cannot read event type GameStarted version 1");
    }

    @Test
    void anUpcasterThatCannotHandleTheDataIsNamed() {
        RecordedEvent stored = new RecordedEvent(99, "game-42", 7, GuessProcessed.TYPE, 1, "[\"" + PLAYER + "\"]", null,
                CREATED_AT);
        EventRecordDeserializer newer = new EventRecordDeserializer(serializerAtVersionTwo());

        assertThatThrownBy(() -> newer.deserialize(TOPIC, EventRecords.binaryHeaders(stored), bytes(stored.data())))
                .isInstanceOfSatisfying(MalformedEventRecordException.class,
                        e -> assertThat(e.problem()).isEqualTo(Problem.UNREADABLE_DATA))
                .hasMessageContaining("cannot upcast event type 'GuessProcessed' from version 1")
                .hasMessageNotContaining(PLAYER);
    }

    @Test
    void aVersionNewerThanTheCodeIsNamed() {
        RecordedEvent stored = new RecordedEvent(99, "game-42", 7, GuessProcessed.TYPE, 9, "{}", null, CREATED_AT);

        assertMalformed(EventRecords.binaryHeaders(stored), stored.data(), Problem.UNSUPPORTED_VERSION,
                "version 9 is newer than this code knows");
    }

    @Test
    void anUnknownTypeIsMalformedWhenStrict() {
        RecordedEvent stored = new RecordedEvent(5, "chat-1", 1, "MessagePosted", 1, "{\"text\":\"" + PLAYER + "\"}",
                null, CREATED_AT);

        assertMalformed(EventRecords.binaryHeaders(stored), stored.data(), Problem.UNKNOWN_TYPE,
                "event type 'MessagePosted' is not registered");
    }

    @Test
    void aTombstoneOrARecordWithoutHeadersIsMalformed() {
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, EventRecords.binaryHeaders(gameStarted()), (byte[]) null))
                .isInstanceOf(MalformedEventRecordException.class)
                .hasMessage("Malformed event record on topic 'eventstore.game': the record has no value (a tombstone);"
                        + " event records always carry the event's data");
        assertMalformed(new RecordHeaders(), gameStarted().data(), Problem.MISSING_HEADER, "the record has no headers");
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, bytes(gameStarted().data())))
                .isInstanceOf(MalformedEventRecordException.class)
                .hasMessageContaining("the record has no headers");
    }

    @Test
    void aStructuredRecordWithoutItsAttributesIsMalformed() {
        RecordHeaders headers = new RecordHeaders();
        EventRecords.add(headers, EventRecordHeaders.CONTENT_TYPE, EventRecordHeaders.CONTENT_TYPE_CLOUDEVENTS_JSON);
        String good = new String(EventRecords.structured(gameStarted(), TOPIC).value(), StandardCharsets.UTF_8);

        assertMalformed(headers, good.replace("\"streamversion\"", "\"streamVersion\""), Problem.MISSING_HEADER,
                "attribute streamversion is missing from the structured-mode value");
        assertMalformed(headers, good.replace("\"data\":", "\"data_base64\":"), Problem.MISSING_HEADER,
                "attribute data is missing");
        assertMalformed(headers, "[\"" + PLAYER + "\"]", Problem.NOT_JSON, "is not a JSON object");
        assertMalformed(headers, "{" + PLAYER, Problem.NOT_JSON, "the structured-mode value is not valid JSON");
    }

    @Test
    void theErrorIsAKafkaSerializationExceptionOfOneLine() {
        Headers headers = EventRecords.binaryHeaders(gameStarted());
        headers.remove(EventRecordHeaders.TYPE);

        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, headers, bytes(gameStarted().data())))
                .isInstanceOf(SerializationException.class)
                .hasMessage("Malformed event record on topic 'eventstore.game': header ce_type is missing");
    }

    /** A registry supplier, as a consumer configured by class name gives one. */
    public static final class GameRegistry implements Supplier<EventTypeRegistry> {
        @Override
        public EventTypeRegistry get() {
            return GameEvents.registry();
        }
    }

    @Test
    void configuredByClassNameAsAKafkaConsumerDoes() {
        EventRecordDeserializer byName = new EventRecordDeserializer();
        Map<String, Object> configs = new HashMap<>();
        configs.put(EventRecordDeserializer.SERIALIZER_CONFIG, GameRegistry.class.getName());
        configs.put(EventRecordDeserializer.STRICT_CONFIG, "false");
        byName.configure(configs, false);

        assertThat(byName.strict()).isFalse();
        RecordedEvent stored = gameStarted();
        assertThat(byName.deserialize(TOPIC, EventRecords.binaryHeaders(stored), bytes(stored.data())).data())
                .isInstanceOf(GameStarted.class);
    }

    @Test
    void refusesToBeConfiguredWrongly() {
        EventRecordDeserializer unconfigured = new EventRecordDeserializer();
        assertThatThrownBy(() -> unconfigured.configure(Map.of(), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("eventstore.serializer is not set");
        assertThatThrownBy(() -> unconfigured.configure(Map.of(EventRecordDeserializer.SERIALIZER_CONFIG, "no.such.Class"), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("class not found");
        assertThatThrownBy(() -> unconfigured.configure(Map.of(EventRecordDeserializer.SERIALIZER_CONFIG, 42), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must be an EventSerializer");
        assertThatThrownBy(() -> deserializer.configure(Map.of(), true))
                .isInstanceOf(ConfigException.class).hasMessageContaining("use StringDeserializer for keys");
        assertThatThrownBy(() -> unconfigured.deserialize(TOPIC, new RecordHeaders(), new byte[0]))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not configured");
    }

    private void assertMalformed(Headers headers, String data, Problem problem, String detail) {
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, headers, bytes(data)))
                .isInstanceOfSatisfying(MalformedEventRecordException.class, e -> {
                    assertThat(e.problem()).isEqualTo(problem);
                    assertThat(e.topic()).isEqualTo(TOPIC);
                    assertThat(e.getMessage()).startsWith("Malformed event record on topic 'eventstore.game': ")
                            .contains(detail)
                            .doesNotContain(PLAYER)
                            .doesNotContain("\n");
                });
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
