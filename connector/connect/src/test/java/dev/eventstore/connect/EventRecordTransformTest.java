package dev.eventstore.connect;

import static dev.eventstore.connect.ChangeRecords.CREATED_AT_MICROS;
import static dev.eventstore.connect.ChangeRecords.DATA;
import static dev.eventstore.connect.ChangeRecords.METADATA;
import static dev.eventstore.connect.ChangeRecords.SOURCE_OFFSET;
import static dev.eventstore.connect.ChangeRecords.SOURCE_PARTITION;
import static dev.eventstore.connect.ChangeRecords.TOPIC;
import static dev.eventstore.connect.ChangeRecords.changeRecord;
import static dev.eventstore.connect.ChangeRecords.envelope;
import static dev.eventstore.connect.ChangeRecords.insert;
import static dev.eventstore.connect.ChangeRecords.row;
import static dev.eventstore.connect.ChangeRecords.source;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

class EventRecordTransformTest {

    private final EventRecordTransform<SourceRecord> transform = new EventRecordTransform<>();
    private ListAppender<ILoggingEvent> logs;

    @BeforeEach
    void captureLogs() {
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(EventRecordTransform.class)).addAppender(logs);
    }

    @AfterEach
    void close() {
        ((Logger) LoggerFactory.getLogger(EventRecordTransform.class)).detachAppender(logs);
        transform.close();
    }

    // ---- the record contract ------------------------------------------------------------------

    @Test
    void insertBecomesTheEventRecordWithEveryHeader() {
        transform.configure(Map.of());

        SourceRecord event = transform.apply(insert());

        assertThat(event.topic()).isEqualTo("eventstore.game");
        assertThat(event.keySchema()).isEqualTo(Schema.STRING_SCHEMA);
        assertThat(event.key()).isEqualTo("game-42");
        assertThat(event.valueSchema()).isEqualTo(Schema.STRING_SCHEMA);
        assertThat(event.value()).isEqualTo(DATA);
        assertThat(event.timestamp()).isEqualTo(1_714_566_896_789L);
        assertThat(headers(event)).containsExactly(
                Map.entry("ce_specversion", "1.0"),
                Map.entry("ce_id", "17"),
                Map.entry("ce_source", "/eventstore"),
                Map.entry("ce_type", "ScoreChanged"),
                Map.entry("ce_subject", "game-42"),
                Map.entry("ce_time", "2024-05-01T12:34:56.789012Z"),
                Map.entry("content-type", "application/json"),
                Map.entry("ce_streamversion", "3"),
                Map.entry("ce_eventversion", "2"),
                Map.entry("ce_metadata", METADATA),
                Map.entry("ce_correlationid", "r-9"),
                Map.entry("ce_causationid", "c-1"));
        for (Header header : event.headers()) {
            assertThat(header.schema()).as(header.key()).isEqualTo(Schema.STRING_SCHEMA);
        }
    }

    @Test
    void snapshotReadIsPublishedLikeAnInsert() {
        transform.configure(Map.of());

        SourceRecord fromInsert = transform.apply(insert());
        SourceRecord fromSnapshot = transform.apply(changeRecord("r", null, row()));

        assertThat(fromSnapshot).isEqualTo(fromInsert);
        assertThat(fromSnapshot.topic()).isEqualTo("eventstore.game");
        assertThat(fromSnapshot.value()).isEqualTo(DATA);
    }

    @Test
    void inputRecordIsNeverMutated() {
        transform.configure(Map.of());
        Struct after = row();
        Struct envelope = envelope("c", null, after, source("eventstore", "events"));
        ConnectHeaders inputHeaders = new ConnectHeaders();
        inputHeaders.addString("__debezium.context.connectorName", "postgresql");
        SourceRecord input = new SourceRecord(SOURCE_PARTITION, SOURCE_OFFSET, TOPIC, 2,
                ChangeRecords.KEY_SCHEMA, ChangeRecords.key(17L), envelope.schema(), envelope, 99L, inputHeaders);
        SourceRecord copy = new SourceRecord(SOURCE_PARTITION, SOURCE_OFFSET, TOPIC, 2,
                ChangeRecords.KEY_SCHEMA, ChangeRecords.key(17L), envelope.schema(), envelope(
                        "c", null, row(), source("eventstore", "events")), 99L, inputHeaders.duplicate());

        SourceRecord event = transform.apply(input);

        assertThat(event).isNotSameAs(input);
        assertThat(input).isEqualTo(copy);
        assertThat(input.value()).isSameAs(envelope);
        assertThat(envelope.getStruct("after")).isSameAs(after).isEqualTo(row());
        assertThat(input.headers()).isSameAs(inputHeaders).hasSize(1);
        assertThat(event.headers()).isNotSameAs(inputHeaders);
        assertThat(event.headers().lastWithName("__debezium.context.connectorName"))
                .as("the change record's own headers are not carried over").isNull();
    }

    @Test
    void sourcePartitionSourceOffsetAndKafkaPartitionAreKept() {
        transform.configure(Map.of());
        Struct envelope = envelope("c", null, row(), source("eventstore", "events"));
        SourceRecord input = new SourceRecord(SOURCE_PARTITION, SOURCE_OFFSET, TOPIC, 4,
                ChangeRecords.KEY_SCHEMA, ChangeRecords.key(17L), envelope.schema(), envelope);

        SourceRecord event = transform.apply(input);

        assertThat(event.sourcePartition()).isEqualTo(SOURCE_PARTITION);
        assertThat(event.sourceOffset()).isEqualTo(SOURCE_OFFSET);
        assertThat(event.kafkaPartition()).isEqualTo(4);
        assertThat(transform.apply(insert()).kafkaPartition())
                .as("Debezium leaves the partition to the producer, which hashes the key").isNull();
    }

    @Test
    void sinkRecordKeepsItsKafkaOffsetAndPartition() {
        EventRecordTransform<SinkRecord> sinkTransform = new EventRecordTransform<>();
        sinkTransform.configure(Map.of());
        Struct envelope = envelope("c", null, row(), source("eventstore", "events"));
        SinkRecord input = new SinkRecord(TOPIC, 1, ChangeRecords.KEY_SCHEMA, ChangeRecords.key(17L),
                envelope.schema(), envelope, 1234L);

        SinkRecord event = sinkTransform.apply(input);

        assertThat(event.kafkaPartition()).isEqualTo(1);
        assertThat(event.kafkaOffset()).isEqualTo(1234L);
        assertThat(event.key()).isEqualTo("game-42");
    }

    @Test
    void timestampAndTimeAreCreatedAtInUtcWithMicrosecondsIncludingBeforeTheEpoch() {
        transform.configure(Map.of());

        SourceRecord exact = transform.apply(insert(row(1, "game-1", 1, "T", 1, "{}", null, 1_700_000_000_000_000L)));
        SourceRecord beforeEpoch = transform.apply(insert(row(2, "game-1", 2, "T", 1, "{}", null, -1L)));

        assertThat(exact.timestamp()).isEqualTo(1_700_000_000_000L);
        assertThat(header(exact, "ce_time")).isEqualTo("2023-11-14T22:13:20.000000Z");
        assertThat(beforeEpoch.timestamp()).as("Kafka takes no negative timestamp: it stamps the send time").isNull();
        assertThat(header(beforeEpoch, "ce_time")).isEqualTo("1969-12-31T23:59:59.999999Z");
    }

    @Test
    void aCreatedAtKafkaWouldRefuseLeavesTheRecordTimestampToKafkaAndKeepsItInCeTime() {
        transform.configure(Map.of("record.timestamp.max.future.ms", "600000"));
        long nowMicros = System.currentTimeMillis() * 1000;
        long in1900 = -2_208_988_800_000_000L;

        SourceRecord old = transform.apply(insert(row(1, "game-1", 1, "T", 1, "{}", null, in1900)));
        SourceRecord soon = transform.apply(insert(row(2, "game-1", 2, "T", 1, "{}", null, nowMicros + 300_000_000L)));
        SourceRecord late = transform.apply(insert(row(3, "game-1", 3, "T", 1, "{}", null, nowMicros + 3_600_000_000L)));

        assertThat(old.timestamp()).isNull();
        assertThat(header(old, "ce_time")).isEqualTo("1900-01-01T00:00:00.000000Z");
        assertThat(soon.timestamp()).as("within the allowed future").isEqualTo((nowMicros + 300_000_000L) / 1000);
        assertThat(late.timestamp()).as("an hour ahead: Kafka 4 would refuse it").isNull();
        assertThat(header(late, "ce_time")).isEqualTo(EventRecordMapper.rfc3339Micros(nowMicros + 3_600_000_000L));
    }

    @Test
    void createdAtInDebeziumsOtherTimestampEncodingsGivesTheSameTime() {
        transform.configure(Map.of());
        Schema nano = SchemaBuilder.int64().name("io.debezium.time.NanoTimestamp").version(1).build();
        Schema milli = SchemaBuilder.int64().name("io.debezium.time.Timestamp").version(1).build();

        SourceRecord fromNanos = transform.apply(withCreatedAt(nano, CREATED_AT_MICROS * 1000 + 345));
        SourceRecord fromMillis = transform.apply(withCreatedAt(milli, 1_714_566_896_789L));
        SourceRecord fromConnect = transform.apply(withCreatedAt(Timestamp.SCHEMA, new Date(1_714_566_896_789L)));

        assertThat(header(fromNanos, "ce_time")).isEqualTo("2024-05-01T12:34:56.789012Z");
        assertThat(header(fromMillis, "ce_time")).isEqualTo("2024-05-01T12:34:56.789000Z");
        assertThat(header(fromConnect, "ce_time")).isEqualTo("2024-05-01T12:34:56.789000Z");
        assertThat(List.of(fromNanos.timestamp(), fromMillis.timestamp(), fromConnect.timestamp()))
                .containsOnly(1_714_566_896_789L);
    }

    // ---- metadata -----------------------------------------------------------------------------

    @Test
    void nullMetadataGivesNoMetadataHeaders() {
        transform.configure(Map.of());

        SourceRecord event = transform.apply(insert(row(17, "game-42", 3, "ScoreChanged", 2, DATA, null, CREATED_AT_MICROS)));

        assertThat(headers(event)).doesNotContainKeys("ce_metadata", "ce_correlationid", "ce_causationid")
                .hasSize(9);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"correlationId\": \"r-9\", \"causationId\": \"c-1\"}|r-9|c-1",
        "{\"correlation_id\": 12345678901234, \"causation_id\": -1.5e3}|12345678901234|-1.5e3",
        "{\"correlation_id\": \"\\u00e9t\\u00e9 \\\"q\\\"\", \"n\": {\"causation_id\": \"nested\"}}|été \"q\"|",
        "{\"correlation_id\": null, \"causation_id\": true, \"list\": [\"}\", {\"a\": \"]\"}]}||",
        "{\"correlation_id\": \"snake\", \"correlationId\": \"camel\"}|snake|",
    })
    void correlationAndCausationComeFromTheMetadataTopLevel(String metadata, String correlation, String causation) {
        transform.configure(Map.of());

        SourceRecord event = transform.apply(insert(row(17, "game-42", 3, "T", 1, "{}", metadata, CREATED_AT_MICROS)));

        assertThat(header(event, "ce_metadata")).isEqualTo(metadata);
        assertThat(header(event, "ce_correlationid")).isEqualTo(correlation);
        assertThat(header(event, "ce_causationid")).isEqualTo(causation);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1, 2]", "\"text\"", "null", "42", "{\"a\": 1", "{\"correlation_id\": \"x\"} trailing"})
    void metadataThatIsNotAnObjectTravelsAsItIsWithoutDerivedHeaders(String metadata) {
        transform.configure(Map.of());

        SourceRecord event = transform.apply(insert(row(17, "game-42", 3, "T", 1, "{}", metadata, CREATED_AT_MICROS)));

        assertThat(header(event, "ce_metadata")).isEqualTo(metadata);
        assertThat(headers(event)).doesNotContainKeys("ce_correlationid", "ce_causationid");
    }

    // ---- topics -------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "game-42|eventstore.game",
        "game-42-extra|eventstore.game",
        "player|eventstore.player",
        "Zone_7-a|eventstore.Zone_7",
        "-42|eventstore.-42",
        "a.b-1|eventstore.a_b-1eef715d",
        "guild hall/7-1|eventstore.guild_hall_7-7eba43d9",
        "jeu\u00e9-1|eventstore.jeu_-04bfaaba",
        "\ud83c\udfae-1|eventstore._-c5030d5c",
        "''|eventstore._-00000000",
    })
    void categoryTopicIsTheStreamIdBeforeTheFirstDashMadeLegal(String streamId, String topic) {
        transform.configure(Map.of());

        SourceRecord event = transform.apply(insert(row(17, streamId, 1, "T", 1, "{}", null, CREATED_AT_MICROS)));

        assertThat(event.topic()).isEqualTo(topic);
        assertThat(event.key()).isEqualTo(streamId);
        assertThat(EventRecordTransformConfig.LEGAL_TOPIC.matcher(event.topic()).matches()).isTrue();
    }

    @Test
    void tooLongCategoryIsCutToKafkasLimitAndKeptApartByItsHash() {
        transform.configure(Map.of());
        String longA = "a".repeat(300) + "-1";
        String longB = "a".repeat(299) + "b-1";

        String topicA = transform.apply(insert(row(1, longA, 1, "T", 1, "{}", null, 0))).topic();
        String topicB = transform.apply(insert(row(2, longB, 1, "T", 1, "{}", null, 0))).topic();

        assertThat(topicA).hasSize(249).startsWith("eventstore.aaaa").matches(".*_[0-9a-f]{8}");
        assertThat(topicB).hasSize(249).isNotEqualTo(topicA);
        assertThat(transform.apply(insert(row(3, longA, 2, "T", 1, "{}", null, 0))).topic())
                .as("deterministic").isEqualTo(topicA);
    }

    @Test
    void topicPrefixIsConfigurable() {
        transform.configure(Map.of("topic.prefix", "prod-eu.events"));

        assertThat(transform.apply(insert()).topic()).isEqualTo("prod-eu.events.game");
    }

    @Test
    void singleTopicModeSendsEveryEventToOneTopicKeyedByStream() {
        transform.configure(Map.of("topic.mode", "single", "topic.single.name", "game-events"));

        SourceRecord game = transform.apply(insert());
        SourceRecord player = transform.apply(insert(row(18, "player-7", 1, "Joined", 1, "{}", null, 0)));

        assertThat(game.topic()).isEqualTo("game-events");
        assertThat(player.topic()).isEqualTo("game-events");
        assertThat(player.key()).isEqualTo("player-7");
    }

    // ---- CloudEvents ---------------------------------------------------------------------------

    @Test
    void cloudEventsSourceIsConfigurable() {
        transform.configure(Map.of("cloudevents.source", "urn:game:eu-1"));

        assertThat(header(transform.apply(insert()), "ce_source")).isEqualTo("urn:game:eu-1");
    }

    @Test
    void structuredModeValueIsTheWholeCloudEvent() throws Exception {
        transform.configure(Map.of("cloudevents.mode", "structured", "cloudevents.source", "urn:game:eu-1"));
        String typeThatNeedsEscaping = "Said \"hi\" \\ \n";

        SourceRecord event = transform.apply(insert(
                row(17, "game-42", 3, typeThatNeedsEscaping, 2, DATA, METADATA, CREATED_AT_MICROS)));

        assertThat(headers(event)).containsExactly(
                Map.entry("content-type", "application/cloudevents+json; charset=UTF-8"));
        assertThat(event.topic()).isEqualTo("eventstore.game");
        assertThat(event.key()).isEqualTo("game-42");
        assertThat(event.valueSchema()).isEqualTo(Schema.STRING_SCHEMA);
        assertThat(event.timestamp()).isEqualTo(1_714_566_896_789L);
        ObjectMapper json = new ObjectMapper();
        JsonNode cloudEvent = json.readTree((String) event.value());
        Map<String, String> attributes = new LinkedHashMap<>();
        cloudEvent.properties().forEach(field -> {
            if (!field.getKey().equals("data")) {
                attributes.put(field.getKey(), field.getValue().asText());
            }
        });
        assertThat(attributes).containsExactly(
                Map.entry("specversion", "1.0"),
                Map.entry("id", "17"),
                Map.entry("source", "urn:game:eu-1"),
                Map.entry("type", typeThatNeedsEscaping),
                Map.entry("subject", "game-42"),
                Map.entry("time", "2024-05-01T12:34:56.789012Z"),
                Map.entry("datacontenttype", "application/json"),
                Map.entry("streamversion", "3"),
                Map.entry("eventversion", "2"),
                Map.entry("metadata", METADATA),
                Map.entry("correlationid", "r-9"),
                Map.entry("causationid", "c-1"));
        assertThat(cloudEvent.get("streamversion").isTextual()).as("CloudEvents Integer is 32-bit; bigint as string")
                .isTrue();
        assertThat(cloudEvent.get("data")).isEqualTo(json.readTree(DATA));
    }

    // ---- dropped ------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({"u, update", "d, delete", "t, truncate"})
    void updateDeleteAndTruncateAreDroppedWithAWarningThatNamesThePositionButNotTheEvent(String op, String name) {
        transform.configure(Map.of());
        Struct before = row();
        Struct after = op.equals("u") ? row(17, "game-42", 3, "ScoreChanged", 2, "{\"score\": 8}", METADATA, 0) : null;

        SourceRecord dropped = transform.apply(changeRecord(op, op.equals("t") ? null : before, after));

        assertThat(dropped).isNull();
        assertThat(logs.list).singleElement().satisfies(log -> {
            assertThat(log.getLevel()).isEqualTo(Level.WARN);
            assertThat(log.getFormattedMessage())
                    .contains("op '" + op + "' (" + name + ")", "eventstore.events", "topic '" + TOPIC + "'",
                            "partition null", "offset " + SOURCE_OFFSET)
                    .doesNotContain("Ada", "score", "game-42", "ScoreChanged", "r-9");
        });
    }

    @Test
    void tombstoneOfTheEventsTableIsDropped() {
        transform.configure(Map.of());
        SourceRecord byKeySchema = new SourceRecord(SOURCE_PARTITION, SOURCE_OFFSET, "renamed-by-a-router", null,
                ChangeRecords.KEY_SCHEMA, ChangeRecords.key(17L), null, null);
        SourceRecord byTopic = new SourceRecord(SOURCE_PARTITION, SOURCE_OFFSET, TOPIC, null,
                null, null, null, null);

        assertThat(transform.apply(byKeySchema)).isNull();
        assertThat(transform.apply(byTopic)).isNull();
        assertThat(logs.list).hasSize(2).allSatisfy(log -> {
            assertThat(log.getLevel()).isEqualTo(Level.WARN);
            assertThat(log.getFormattedMessage()).contains("tombstone", "offset " + SOURCE_OFFSET);
        });
    }

    // ---- passed through -----------------------------------------------------------------------

    @Test
    void tombstoneOfAnotherTablePassesThroughUnchanged() {
        transform.configure(Map.of());
        Schema otherKey = SchemaBuilder.struct().name("eventstore.eventstore.event_streams.Key")
                .field("stream_id", Schema.STRING_SCHEMA).build();
        SourceRecord tombstone = new SourceRecord(SOURCE_PARTITION, SOURCE_OFFSET, "eventstore.eventstore.event_streams",
                null, otherKey, new Struct(otherKey).put("stream_id", "game-42"), null, null);

        assertThat(transform.apply(tombstone)).isSameAs(tombstone);
        assertThat(logs.list).isEmpty();
    }

    @Test
    void changeRecordsOfOtherTablesAndSchemasPassThroughUnchanged() {
        transform.configure(Map.of());
        SourceRecord otherTable = changeRecord(envelope("c", null, row(), source("eventstore", "event_streams")));
        SourceRecord otherSchema = changeRecord(envelope("c", null, row(), source("public", "events")));
        SourceRecord updateOfOtherTable = changeRecord(envelope("u", row(), row(), source("eventstore", "heartbeat")));

        assertThat(transform.apply(otherTable)).isSameAs(otherTable);
        assertThat(transform.apply(otherSchema)).isSameAs(otherSchema);
        assertThat(transform.apply(updateOfOtherTable)).isSameAs(updateOfOtherTable);
        assertThat(logs.list).isEmpty();
    }

    @Test
    void configuredEventsSchemaAndTableAreTheOnesMapped() {
        transform.configure(Map.of("events.schema", "public", "events.table", "game_events"));

        SourceRecord defaultTable = insert();
        SourceRecord configuredTable = changeRecord(envelope("c", null, row(), source("public", "game_events")));

        assertThat(transform.apply(defaultTable)).isSameAs(defaultTable);
        assertThat(transform.apply(configuredTable).topic()).isEqualTo("eventstore.game");
    }

    @Test
    void debeziumHeartbeatAndOtherRecordsPassThroughUnchanged() {
        transform.configure(Map.of());
        Schema heartbeatKey = SchemaBuilder.struct().name("io.debezium.connector.common.ServerNameKey")
                .field("serverName", Schema.STRING_SCHEMA).build();
        Schema heartbeatValue = SchemaBuilder.struct().name("io.debezium.connector.common.Heartbeat")
                .field("ts_ms", Schema.INT64_SCHEMA).build();
        SourceRecord heartbeat = new SourceRecord(SOURCE_PARTITION, SOURCE_OFFSET, "__debezium-heartbeat.eventstore",
                null, heartbeatKey, new Struct(heartbeatKey).put("serverName", "eventstore"),
                heartbeatValue, new Struct(heartbeatValue).put("ts_ms", 1L));
        SourceRecord plainString = new SourceRecord(SOURCE_PARTITION, SOURCE_OFFSET, "other", null,
                Schema.STRING_SCHEMA, "k", Schema.STRING_SCHEMA, "v");
        SourceRecord schemaless = new SourceRecord(SOURCE_PARTITION, SOURCE_OFFSET, TOPIC, null,
                null, null, null, Map.of("op", "c"));
        Schema sourceNotAStruct = SchemaBuilder.struct().field("op", Schema.STRING_SCHEMA)
                .field("source", Schema.STRING_SCHEMA).build();
        SourceRecord oddEnvelope = new SourceRecord(SOURCE_PARTITION, SOURCE_OFFSET, TOPIC, null, null, null,
                sourceNotAStruct, new Struct(sourceNotAStruct).put("op", "c").put("source", "x"));

        for (SourceRecord record : List.of(heartbeat, plainString, schemaless, oddEnvelope)) {
            assertThat(transform.apply(record)).isSameAs(record);
        }
        assertThat(logs.list).isEmpty();
    }

    // ---- unmappable ---------------------------------------------------------------------------

    @Test
    void missingFieldIsADataExceptionNamingPositionAndFieldButNotContents() {
        transform.configure(Map.of());
        Schema rowWithoutData = SchemaBuilder.struct().name("eventstore.eventstore.events.Value").optional()
                .field("event_id", Schema.INT64_SCHEMA)
                .field("stream_id", Schema.STRING_SCHEMA)
                .field("stream_version", Schema.INT64_SCHEMA)
                .field("event_type", Schema.STRING_SCHEMA)
                .field("event_version", Schema.INT32_SCHEMA)
                .build();
        Struct after = new Struct(rowWithoutData).put("event_id", 17L).put("stream_id", "game-42")
                .put("stream_version", 3L).put("event_type", "ScoreChanged").put("event_version", 2);

        assertUnmappable(customEnvelope(rowWithoutData, "c", after), "after.data", "is missing");
    }

    @Test
    void wrongTypeIsADataExceptionNamingTheField() {
        transform.configure(Map.of());
        Schema rowWithIntStreamId = SchemaBuilder.struct().name("eventstore.eventstore.events.Value").optional()
                .field("event_id", Schema.INT64_SCHEMA)
                .field("stream_id", Schema.INT32_SCHEMA)
                .build();
        Struct after = new Struct(rowWithIntStreamId).put("event_id", 17L).put("stream_id", 42);

        assertUnmappable(customEnvelope(rowWithIntStreamId, "c", after), "after.stream_id", "is INT32, expected STRING");
    }

    @Test
    void unsupportedCreatedAtEncodingIsADataException() {
        transform.configure(Map.of());

        assertThatThrownBy(() -> transform.apply(withCreatedAt(Schema.STRING_SCHEMA, "2024-05-01T12:34:56Z")))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("field 'after.created_at' has schema null (STRING)")
                .hasMessageNotContaining("2024-05-01");
    }

    @Test
    void missingAfterOfAnInsertAndAnUnknownOpAreDataExceptions() {
        transform.configure(Map.of());

        assertUnmappable(changeRecord("c", null, null), "after", "is null");
        assertUnmappable(changeRecord("x", null, row()), "op", "is 'x', not one of c, r, u, d, t");
    }

    @Test
    void nullRequiredColumnIsADataException() {
        transform.configure(Map.of());
        Struct after = row();
        Schema optionalStrings = SchemaBuilder.struct().name("eventstore.eventstore.events.Value").optional()
                .field("event_id", Schema.INT64_SCHEMA)
                .field("stream_id", Schema.OPTIONAL_STRING_SCHEMA)
                .build();

        assertUnmappable(customEnvelope(optionalStrings, "c", new Struct(optionalStrings).put("event_id", 17L)),
                "after.stream_id", "is null");
        assertThat(after).isEqualTo(row());
    }

    private void assertUnmappable(SourceRecord record, String field, String problem) {
        assertThatThrownBy(() -> transform.apply(record))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("topic '" + TOPIC + "' partition null offset " + SOURCE_OFFSET)
                .hasMessageContaining("field '" + field + "' " + problem)
                .hasMessageNotContaining("Ada")
                .hasMessageNotContaining("ScoreChanged");
    }

    // ---- configuration ------------------------------------------------------------------------

    @Test
    void defaultsAreTheDocumentedOnes() {
        EventRecordTransformConfig config = new EventRecordTransformConfig(Map.of());

        assertThat(config.eventsSchema()).isEqualTo("eventstore");
        assertThat(config.eventsTable()).isEqualTo("events");
        assertThat(config.topicPrefix()).isEqualTo("eventstore");
        assertThat(config.topicMode()).isEqualTo(EventRecordTransformConfig.TopicMode.CATEGORY);
        assertThat(config.singleTopicName()).isNull();
        assertThat(config.cloudEventsSource()).isEqualTo("/eventstore");
        assertThat(config.cloudEventsMode()).isEqualTo(EventRecordTransformConfig.CloudEventsMode.BINARY);
    }

    @Test
    void modesAreCaseInsensitive() {
        EventRecordTransformConfig config = new EventRecordTransformConfig(
                Map.of("topic.mode", "SINGLE", "topic.single.name", "all", "cloudevents.mode", "Structured"));

        assertThat(config.topicMode()).isEqualTo(EventRecordTransformConfig.TopicMode.SINGLE);
        assertThat(config.cloudEventsMode()).isEqualTo(EventRecordTransformConfig.CloudEventsMode.STRUCTURED);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "topic.mode|categories",
        "topic.mode|single",
        "topic.prefix|''",
        "topic.prefix|event store",
        "topic.prefix|events/prod",
        "topic.single.name|all events",
        "cloudevents.mode|json",
        "cloudevents.source|''",
        "cloudevents.source|/event store",
        "events.schema|''",
        "events.table|''",
    })
    void badConfigurationIsRejected(String key, String value) {
        Map<String, String> config = new HashMap<>();
        config.put(key, value);

        assertThatThrownBy(() -> transform.configure(config))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key.equals("topic.mode") && value.equals("single") ? "topic.single.name" : key);
    }

    @Test
    void tooLongTopicPrefixIsRejected() {
        assertThatThrownBy(() -> transform.configure(Map.of("topic.prefix", "p".repeat(201))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Longer than 200 characters");
    }

    @Test
    void configIsTheOneDefinition() {
        assertThat(transform.config()).isSameAs(EventRecordTransform.CONFIG_DEF);
        assertThat(EventRecordTransform.CONFIG_DEF.names()).containsExactlyInAnyOrder(
                "events.schema", "events.table", "topic.prefix", "topic.mode", "topic.single.name",
                "cloudevents.source", "cloudevents.mode", "record.timestamp.max.future.ms");
    }

    @Test
    void rowsOfSchemasWithOtherColumnOrdersInTurnMapEachByItsOwnColumns() {
        transform.configure(Map.of());
        Schema reordered = SchemaBuilder.struct().name("eventstore.eventstore.events.Value").optional()
                .field("created_at", SchemaBuilder.int64().name(EventRecordMapper.DEBEZIUM_MICRO_TIMESTAMP).build())
                .field("data", Schema.STRING_SCHEMA)
                .field("event_version", Schema.INT32_SCHEMA)
                .field("event_type", Schema.STRING_SCHEMA)
                .field("stream_version", Schema.INT64_SCHEMA)
                .field("stream_id", Schema.STRING_SCHEMA)
                .field("event_id", Schema.INT64_SCHEMA)
                .build();

        for (int i = 1; i <= 3; i++) {
            SourceRecord usual = transform.apply(insert(row(i, "game-" + i, i, "Usual", 1, "{\"u\":" + i + "}", METADATA,
                    CREATED_AT_MICROS)));
            SourceRecord other = transform.apply(customEnvelope(reordered, "c", new Struct(reordered)
                    .put("created_at", CREATED_AT_MICROS + 1_000_000L).put("data", "{\"o\":" + i + "}")
                    .put("event_version", 2).put("event_type", "Other").put("stream_version", 10L + i)
                    .put("stream_id", "chat-" + i).put("event_id", 100L + i)));

            assertThat(usual.topic()).isEqualTo("eventstore.game");
            assertThat(usual.value()).isEqualTo("{\"u\":" + i + "}");
            assertThat(headers(usual)).containsEntry("ce_id", Integer.toString(i)).containsEntry("ce_type", "Usual")
                    .containsEntry("ce_correlationid", "r-9").containsEntry("ce_metadata", METADATA);
            assertThat(other.topic()).isEqualTo("eventstore.chat");
            assertThat(other.key()).isEqualTo("chat-" + i);
            assertThat(other.value()).isEqualTo("{\"o\":" + i + "}");
            assertThat(other.timestamp()).isEqualTo(CREATED_AT_MICROS / 1000 + 1000);
            assertThat(headers(other)).containsEntry("ce_id", Long.toString(100L + i)).containsEntry("ce_type", "Other")
                    .containsEntry("ce_streamversion", Long.toString(10L + i)).containsEntry("ce_eventversion", "2")
                    .doesNotContainKeys("ce_metadata", "ce_correlationid");
        }
    }

    @Test
    void aSchemaProblemIsReportedForEveryRecordOfThatSchemaNotOnlyTheFirst() {
        transform.configure(Map.of());
        Schema noType = SchemaBuilder.struct().name("eventstore.eventstore.events.Value").optional()
                .field("event_id", Schema.INT64_SCHEMA)
                .field("stream_id", Schema.STRING_SCHEMA)
                .field("stream_version", Schema.INT64_SCHEMA)
                .build();

        for (int i = 0; i < 2; i++) {
            assertUnmappable(customEnvelope(noType, "c", new Struct(noType).put("event_id", 17L)
                    .put("stream_id", "game-1").put("stream_version", 1L)), "after.event_type", "is missing");
            assertThat(transform.apply(insert())).isNotNull();
        }
    }

    // ---- as a plugin --------------------------------------------------------------------------

    @Test
    void applyBeforeConfigureFailsClearly() {
        assertThatThrownBy(() -> transform.apply(insert()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("before configure");
    }

    @Test
    @SuppressWarnings("rawtypes")
    void serviceManifestListsTheTransformForServiceLoadPluginDiscovery() {
        List<Class<?>> found = new ArrayList<>();
        for (ServiceLoader.Provider<Transformation> provider : ServiceLoader.load(Transformation.class).stream().toList()) {
            found.add(provider.type());
        }

        assertThat(found).contains(EventRecordTransform.class);
        assertThat(transform.version()).isNotBlank();
    }

    @Test
    void applyIsThreadSafe() throws Exception {
        transform.configure(Map.of());
        List<SourceRecord> inputs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            inputs.add(insert(row(i, "stream" + (i % 7) + "-" + i, i, "T" + i, 1, "{\"i\":" + i + "}", null,
                    CREATED_AT_MICROS + i)));
        }
        List<SourceRecord> expected = inputs.stream().map(transform::apply).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<List<SourceRecord>>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                tasks.add(() -> inputs.stream().map(transform::apply).toList());
            }
            for (Future<List<SourceRecord>> result : pool.invokeAll(tasks, 30, TimeUnit.SECONDS)) {
                assertThat(result.get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static SourceRecord withCreatedAt(Schema createdAtSchema, Object createdAt) {
        Schema rowSchema = ChangeRecords.rowSchema(createdAtSchema);
        Schema envelopeSchema = ChangeRecords.envelopeSchema(rowSchema);
        Struct after = new Struct(envelopeSchema.field("after").schema())
                .put("event_id", 17L).put("stream_id", "game-42").put("stream_version", 3L)
                .put("event_type", "ScoreChanged").put("event_version", 2).put("data", DATA)
                .put("metadata", null).put("created_at", createdAt);
        Struct envelope = new Struct(envelopeSchema).put("after", after)
                .put("source", source("eventstore", "events")).put("op", "c");
        return changeRecord(envelope);
    }

    private static SourceRecord customEnvelope(Schema rowSchema, String op, Struct after) {
        Schema envelopeSchema = SchemaBuilder.struct().name("eventstore.eventstore.events.Envelope")
                .field("before", rowSchema)
                .field("after", rowSchema)
                .field("source", ChangeRecords.SOURCE_SCHEMA)
                .field("op", Schema.STRING_SCHEMA)
                .build();
        return changeRecord(new Struct(envelopeSchema).put("after", after)
                .put("source", source("eventstore", "events")).put("op", op));
    }

    private static Map<String, String> headers(ConnectRecord<?> record) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            assertThat(headers).as("duplicate header " + header.key()).doesNotContainKey(header.key());
            headers.put(header.key(), (String) header.value());
        }
        return headers;
    }

    private static String header(ConnectRecord<?> record, String name) {
        Header header = record.headers().lastWithName(name);
        return header == null ? null : (String) header.value();
    }
}
