package dev.eventstore.faults;

import static dev.eventstore.testing.EventRecordContract.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.InvalidEventException;
import dev.eventstore.InvalidRequestException;
import dev.eventstore.RecordedEvent;
import dev.eventstore.admin.Verifier;
import dev.eventstore.bridge.BridgeHealth;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.bridge.EventRecordEncoder;
import dev.eventstore.cli.Cli;
import dev.eventstore.consumer.ConsumedEvent;
import dev.eventstore.consumer.EventRecordDeserializer;
import dev.eventstore.consumer.MalformedEventRecordException;
import dev.eventstore.serializer.EventSerializer;
import dev.eventstore.serializer.EventTypeRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input at every entry point, one table: the library ({@code EventStore.append}), the SQL
 * function {@code append_to_stream} called directly, the command line, configuration files, and
 * Kafka records given to the consumer library's deserializer. Each bad row must be refused with
 * one line that names the problem, and write nothing; the rows that are not bad (SQL-injection
 * strings, emoji, right-to-left text, data that is a JSON array) must be accepted and come back
 * exactly, from PostgreSQL and from Kafka. One bridge runs throughout the library and SQL rows; the
 * last test asserts it is still healthy and has published every accepted event.
 *
 * <p>Decisions the table records (see RELIABILITY.md):
 * <ul>
 *   <li>an event's data may be any JSON value (the library's documented contract); its metadata
 *       must be an object. The SQL function does not check metadata, nor size: the size limit is the
 *       library's and configurable. An event over Kafka's limits stored by raw SQL stops a bridge with
 *       {@code errors.policy=fail} (the default, PublishErrorsIT) and is parked on the dead-letter topic,
 *       without its value, with {@code dead-letter}, which this bridge runs with;</li>
 *   <li>an unknown key in a configuration file is an error naming the nearest known key;</li>
 *   <li>a Kafka record's data holding an escaped NUL ({@code \\u0000}) is valid JSON and is delivered (only PostgreSQL's
 *       jsonb refuses it).</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INJECTION = "x'); DROP TABLE " + FaultRig.SCHEMA + ".events; --";
    private static final String TEN_MIB = "{\"blob\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}";

    /** A registered event class: its data must be a JSON object. */
    public record Tick(int v) {
    }

    /** An accepted event, to find again in Kafka at the end. */
    private record Accepted(String streamId, String eventType, String data) {
    }

    private FaultRig rig;
    private EventBridge bridge;
    private final List<Accepted> accepted = new ArrayList<>();

    @TempDir
    Path directory;

    @BeforeAll
    void startBridge() throws Exception {
        rig = FaultRig.shared();
        bridge = rig.startInProcess(Map.of("errors.policy", "dead-letter"));
    }

    @AfterAll
    void stopBridge() {
        if (bridge != null) {
            bridge.close();
        }
        rig.dropSlot();
    }

    @TestFactory
    Stream<DynamicNode> everyEntryPoint() {
        return Stream.of(
                dynamicContainer("library: EventStore.append", library()),
                dynamicContainer("SQL: append_to_stream", sql()),
                dynamicContainer("command line", commandLine()),
                dynamicContainer("configuration file", configurationFile()),
                dynamicContainer("Kafka record: EventRecordDeserializer", deserializer()),
                dynamicTest("the bridge kept running and published every accepted event exactly", this::bridgeStillHealthy));
    }

    // ------------------------------------------------------------------------------------ library

    private Stream<DynamicNode> library() {
        EventData ok = EventData.of("Tick", "{\"v\":1}");
        return Stream.of(
                refused("malformed JSON", () -> append("game-1", EventData.of("Tick", "{\"v\": 1")),
                        InvalidEventException.class, "the data is not valid JSON"),
                refused("JSON with \\u0000", () -> append("game-1", EventData.of("Tick", "{\"name\":\"a\\u0000b\"}")),
                        InvalidEventException.class, "the data contains \\u0000, which PostgreSQL cannot store in jsonb"),
                refused("a raw NUL character in a JSON string", () -> append("game-1", EventData.of("Tick", "{\"n\":\"a\u0000b\"}")),
                        InvalidEventException.class, "the data is not valid JSON"),
                refused("non-object metadata", () -> append("game-1", ok.withMetadataJson("[\"actor\"]")),
                        InvalidEventException.class, "the metadata is not a JSON object"),
                refused("a 10 MiB event", () -> append("game-1", EventData.of("Blob", TEN_MIB)),
                        InvalidEventException.class, "bytes (type, data and metadata as UTF-8), the limit is 1048576"
                                + " (eventstore.event.max-size-bytes)"),
                refused("empty stream id", () -> append("", ok), InvalidRequestException.class,
                        "invalid stream id: the stream id is empty"),
                refused("over-long stream id", () -> append("game-" + "9".repeat(251), ok), InvalidRequestException.class,
                        "the stream id is 256 characters, the limit is 255"),
                refused("control character in stream id", () -> append("game-\u00071", ok), InvalidRequestException.class,
                        "the stream id contains a control character (U+0007 at index 5)"),
                refused("C1 control character in stream id", () -> append("game-\u00851", ok), InvalidRequestException.class,
                        "the stream id contains a control character (U+0085 at index 5)"),
                refused("control character in event type", () -> append("game-1", EventData.of("Tick\n", "{}")),
                        InvalidEventException.class, "the event type contains a control character (U+000A at index 4)"),
                refused("expected version: negative", () -> rig.store.append("game-1", ExpectedVersion.exactly(-1), ok),
                        InvalidRequestException.class, "invalid expected version -1: a stream version is 0 or more"),
                refused("expected version: not a version", () -> rig.store.append("game-1", ExpectedVersion.parse("latest"), ok),
                        InvalidRequestException.class, "invalid expected version 'latest'"),
                refused("expected version: missing", () -> rig.store.append("game-1", null, ok),
                        InvalidRequestException.class, "the expected version is missing"),
                acceptedByLibrary("SQL injection as stream id", "game-" + INJECTION, "Tick", "{\"v\":1}"),
                acceptedByLibrary("SQL injection as event type", "game-injection", INJECTION, "{\"v\":1}"),
                acceptedByLibrary("SQL injection in data", "game-injection", "Tick",
                        "{\"name\":\"" + INJECTION.replace("\"", "\\\"") + "\"}"),
                acceptedByLibrary("emoji", "game-\uD83C\uDFAE\uD83D\uDD25", "Scored\uD83C\uDFC6",
                        "{\"player\":\"\uD83E\uDD84\",\"says\":\"gg \uD83D\uDC4D\uD83C\uDFFD\"}"),
                acceptedByLibrary("right-to-left text", "game-\u05E9\u05DC\u05D5\u05DD", "\u062A\u062D\u064A\u0629",
                        "{\"name\":\"\u0645\u0631\u062D\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645\","
                                + "\"mixed\":\"abc \u05D0\u05D1\u05D2 123 \u200F!\"}"),
                acceptedByLibrary("a stream id of 255 emoji (1020 bytes)", "\uD83C\uDFB2".repeat(255), "Rolled", "{}"),
                acceptedByLibrary("data that is a JSON array, not an object (any JSON value is data)", "game-array",
                        "Tick", "[1,2,3]"));
    }

    private void append(String streamId, EventData event) {
        rig.store.append(streamId, ExpectedVersion.ANY, event);
    }

    private DynamicNode acceptedByLibrary(String name, String streamId, String eventType, String data) {
        return dynamicTest(name + " (accepted, comes back exactly)", () -> {
            rig.store.append(streamId, ExpectedVersion.ANY, EventData.of(eventType, data));
            assertStoredExactly(streamId, eventType, data);
        });
    }

    private void assertStoredExactly(String streamId, String eventType, String data) throws Exception {
        List<RecordedEvent> events = rig.store.readStreamForward(streamId, 1, 1000);
        RecordedEvent last = events.get(events.size() - 1);
        assertThat(last.streamId()).isEqualTo(streamId);
        assertThat(last.eventType()).isEqualTo(eventType);
        assertThat(JSON.readTree(last.data())).isEqualTo(JSON.readTree(data));
        accepted.add(new Accepted(streamId, eventType, data));
    }

    // ---------------------------------------------------------------------------------------- SQL

    private Stream<DynamicNode> sql() {
        return Stream.of(
                refusedBySql("malformed JSON", () -> callAppend("game-1", "-1", "Tick", "{\"v\": 1", null),
                        "22P02", "invalid input syntax for type json"),
                refusedBySql("JSON with \\u0000", () -> callAppend("game-1", "-1", "Tick", "{\"n\":\"a\\u0000b\"}", null),
                        "22P05", "unsupported Unicode escape sequence"),
                refusedBySql("NULL data", () -> callAppend("game-1", "-1", "Tick", null, null),
                        "ZE005", "invalid event at index 0 for stream 'game-1': the event data is NULL"),
                refusedBySql("empty stream id", () -> callAppend("", "-1", "Tick", "{}", null),
                        "ZE004", "invalid stream id: the stream id is empty"),
                refusedBySql("over-long stream id", () -> callAppend("g".repeat(256), "-1", "Tick", "{}", null),
                        "ZE004", "invalid stream id: 256 characters, the limit is 255"),
                refusedBySql("control character in stream id", () -> callAppend("game-\u001b1", "-1", "Tick", "{}", null),
                        "ZE004", "invalid stream id: it contains a control character"),
                refusedBySql("expected version: not a number", () -> callAppend("game-1", "latest", "Tick", "{}", null),
                        "22P02", "invalid input syntax for type bigint: \"latest\""),
                refusedBySql("expected version: out of range", () -> callAppend("game-1", "-7", "Tick", "{}", null),
                        "ZE006", "invalid expected version -7"),
                refusedBySql("empty event type", () -> callAppend("game-1", "-1", "", "{}", null),
                        "ZE005", "the event type is empty"),
                acceptedBySql("SQL injection as stream id", "game-" + INJECTION, "Tick", "{\"v\":2}", null),
                acceptedBySql("emoji and right-to-left text", "game-\uD83C\uDFAE-\u05E9\u05DC\u05D5\u05DD", "Scored",
                        "{\"who\":\"\uD83E\uDD84 \u0645\u0631\u062D\u0628\u0627\"}", null),
                acceptedBySql("non-object metadata (the SQL function does not check it; the library does)", "game-meta",
                        "Tick", "{\"v\":3}", "[\"not\",\"an\",\"object\"]"),
                dynamicTest("a 10 MiB event (the size limit is the library's: stored, then parked on the dead-letter"
                        + " topic without its value)", () -> {
                    callAppend("big-1", "-1", "Blob", TEN_MIB, null);
                    List<ConsumerRecord<String, byte[]>> dead = rig.awaitRecords(rig.topicPrefix + ".dead-letter", 1);
                    assertThat(dead.get(0).key()).isEqualTo("big-1");
                    assertThat(dead.get(0).value()).isNull();
                    assertThat(header(dead.get(0), "eventstore_error_reason")).startsWith("RecordTooLargeException");
                    assertThat(header(dead.get(0), "eventstore_error_value_dropped_bytes")).isNotNull();
                }));
    }

    /** PostgreSQL's own refusal: its SQLSTATE and primary message (a raw SQL caller reads those). */
    private DynamicNode refusedBySql(String name, Executable call, String sqlState, String message) {
        return dynamicTest(name, () -> {
            Counts before = counts();
            assertThatThrownBy(call::execute).isInstanceOf(SQLException.class).satisfies(e -> {
                assertThat(((SQLException) e).getSQLState()).as(e.getMessage()).isEqualTo(sqlState);
                org.postgresql.util.ServerErrorMessage server = ((org.postgresql.util.PSQLException) e).getServerErrorMessage();
                assertThat(server.getMessage()).contains(message).doesNotContain("\n");
            });
            assertThat(counts()).as("nothing written").isEqualTo(before);
        });
    }

    private DynamicNode acceptedBySql(String name, String streamId, String eventType, String data, String metadata) {
        return dynamicTest(name + " (accepted, comes back exactly)", () -> {
            callAppend(streamId, "-1", eventType, data, metadata);
            assertStoredExactly(streamId, eventType, data);
        });
    }

    /** {@code append_to_stream} as a caller without the library would call it. */
    private void callAppend(String streamId, String expected, String eventType, String data, String metadata)
            throws SQLException {
        try (Connection connection = rig.connect(); PreparedStatement call = connection.prepareStatement(
                "SELECT * FROM " + FaultRig.SCHEMA + ".append_to_stream(?, ?::bigint, ?, NULL, ?::jsonb[], ?::jsonb[])")) {
            call.setString(1, streamId);
            call.setString(2, expected);
            call.setArray(3, connection.createArrayOf("text", new String[] {eventType}));
            call.setArray(4, connection.createArrayOf("text", new String[] {data}));
            Array metadataArray = metadata == null ? null : connection.createArrayOf("text", new String[] {metadata});
            call.setArray(5, metadataArray);
            try (ResultSet rs = call.executeQuery()) {
                rs.next();
            }
        }
    }

    // ------------------------------------------------------------------------------- command line

    private Stream<DynamicNode> commandLine() {
        return Stream.of(
                refusedByCli("unknown option", List.of("verify", "--frobnicate"), 2, "eventstore: unknown option --frobnicate"),
                refusedByCli("wrong type of event id", List.of("republish", "--from-event-id", "latest"), 2,
                        "eventstore: Invalid value for option '--from-event-id': 'latest' is not a long"),
                refusedByCli("missing required option", List.of("replay", "--to-earliest"), 2,
                        "eventstore: Missing required option: '--group=GROUP'"),
                refusedByCli("SQL injection as schema", List.of("verify", "--schema", "faults_it; DROP SCHEMA faults_it"), 2,
                        "eventstore: invalid configuration: Invalid value faults_it; DROP SCHEMA faults_it for configuration schema"),
                refusedByCli("empty stream id", List.of("republish", "--stream", ""), 1,
                        "eventstore: invalid stream id: the stream id is empty"),
                refusedByCli("control character in stream id", List.of("republish", "--stream", "game-\u00071"), 1,
                        "eventstore: invalid stream id 'game-\\u00071': the stream id contains a control character"),
                dynamicTest("SQL injection as stream id (a stream like any other)", () -> {
                    Cli.Result result = rig.cli(Map.of()).run("republish", "--stream", "game-" + INJECTION);
                    assertThat(result.exitCode()).as(result.all()).isZero();
                    assertThat(result.out()).startsWith("Republished ");
                    assertSchemaIntact();
                }),
                dynamicTest("SQL injection as group name (a Kafka group id like any other)", () -> {
                    Cli.Result result = rig.cli(Map.of()).run("replay", "--group", INJECTION, "--to-earliest", "--dry-run");
                    assertThat(result.all()).doesNotContain("Exception");
                    assertSchemaIntact();
                }));
    }

    private DynamicNode refusedByCli(String name, List<String> args, int exitCode, String message) {
        return dynamicTest(name, () -> {
            Counts before = counts();
            Cli.Result result = rig.cli(Map.of()).run(args.toArray(String[]::new));
            assertThat(result.exitCode()).as(result.all()).isEqualTo(exitCode);
            assertThat(result.err()).as(result.all()).contains(message);
            assertThat(result.err().lines().filter(l -> l.startsWith("eventstore: ")).count()).isEqualTo(1);
            assertThat(counts()).isEqualTo(before);
        });
    }

    // ------------------------------------------------------------------------- configuration file

    private Stream<DynamicNode> configurationFile() {
        return Stream.of(
                refusedConfig("a value of the wrong type", "max.batch.size=lots\n", true,
                        "invalid configuration: Invalid value lots for configuration max.batch.size: Not a number of type INT"),
                refusedConfig("a value out of range", "max.queue.size=1\n", true,
                        "Invalid value 1 for configuration max.queue.size: Value must be at least 2"),
                refusedConfig("a value not among the allowed", "snapshot.mode=sometimes\n", true,
                        "Invalid value sometimes for configuration snapshot.mode: String must be one of: initial, no_data,"
                                + " never, when_needed"),
                refusedConfig("a missing required setting", "db.user=someone\n", false,
                        "invalid configuration: Missing required configuration \"db.url\" which has no default value."),
                refusedConfig("an unknown key (a misspelt one)", "max.batch.sise=20\n", true,
                        "unknown setting max.batch.sise (did you mean max.batch.size?)"),
                refusedConfig("an unknown key (nothing like it)", "frobnication.level=11\n", true,
                        "unknown setting frobnication.level (every setting is described in docs/bridge-config.md)"),
                refusedConfig("a malformed escape", "topic.prefix=game\\u00zz\n", true,
                        "cannot read configuration file"),
                refusedConfig("SQL injection as schema", "schema=eventstore; DROP SCHEMA " + FaultRig.SCHEMA + " CASCADE\n", true,
                        "for configuration schema"));
    }

    /**
     * {@code run --config FILE} with no environment: the file holds this test's settings (unless
     * {@code complete} is false) but the key under test, then the line under test. Kafka is unreachable in it,
     * so that a row that wrongly passed could not start a second bridge here.
     */
    private DynamicNode refusedConfig(String name, String line, boolean complete, String message) {
        return dynamicTest(name, () -> {
            Path file = Files.createTempFile(directory, "bridge", ".properties");
            StringBuilder text = new StringBuilder();
            if (complete) {
                String key = line.substring(0, line.indexOf('='));
                rig.settings(Map.of("kafka.bootstrap.servers", "127.0.0.1:1"))
                        .forEach((k, value) -> {
                            if (!k.equals(key)) {
                                text.append(k).append('=').append(value).append('\n');
                            }
                        });
            }
            text.append(line);
            Files.writeString(file, text, StandardCharsets.UTF_8);
            Cli.Result result = new Cli().run("run", "--config", file.toString());
            assertThat(result.exitCode()).as(result.all()).isEqualTo(2);
            assertThat(result.err()).as(result.all()).startsWith("eventstore: ").contains(message);
            assertThat(result.err().lines().count()).as(result.err()).isEqualTo(1);
        });
    }

    // ------------------------------------------------------------------------------ deserializer

    private Stream<DynamicNode> deserializer() {
        EventTypeRegistry registry = EventTypeRegistry.builder().register("Tick", Tick.class).build();
        EventRecordDeserializer strict = new EventRecordDeserializer(new EventSerializer(registry), true);
        EventRecordDeserializer lenient = new EventRecordDeserializer(new EventSerializer(registry), false);
        return Stream.of(
                malformed("malformed JSON", strict, record("Tick", "{\"v\": 1"), "not-json"),
                malformed("non-object data where an object is needed", strict, record("Tick", "[1,2]"), "unreadable-data"),
                malformed("an empty value", strict, record("Tick", ""), null),
                malformed("no value (a tombstone)", strict, withValue(record("Tick", "{}"), null), "no-value"),
                malformed("stream version of the wrong type", strict,
                        withHeader(record("Tick", "{\"v\":1}"), "ce_streamversion", "latest"), "invalid-header"),
                malformed("event time that is no time", strict,
                        withHeader(record("Tick", "{\"v\":1}"), "ce_time", "yesterday"), "invalid-header"),
                malformed("missing event id", strict, withHeader(record("Tick", "{\"v\":1}"), "ce_id", null), "missing-header"),
                malformed("unknown event type (strict)", strict, record(INJECTION, "{}"), "unknown-type"),
                dynamicTest("JSON with \\u0000 (valid JSON: delivered)", () -> {
                    ConsumedEvent event = deserialize(lenient, record("Note", "{\"n\":\"a\\u0000b\"}"));
                    assertThat(event.data(JsonNode.class).get("n").asText()).isEqualTo("a\u0000b");
                }),
                dynamicTest("a 10 MiB event (delivered whole)", () -> {
                    ConsumedEvent event = deserialize(lenient, record("Blob", TEN_MIB));
                    assertThat(event.data(JsonNode.class).get("blob").asText()).hasSize(10 * 1024 * 1024);
                }),
                dynamicTest("SQL injection, emoji and right-to-left text (delivered exactly)", () -> {
                    String type = "\u062A\u062D\u064A\u0629 " + INJECTION + " \uD83C\uDFAE";
                    String data = "{\"s\":\"\u05E9\u05DC\u05D5\u05DD \uD83E\uDD84 \u200F\"}";
                    ProducerRecord<byte[], byte[]> record = record(type, data);
                    ConsumedEvent event = deserialize(lenient, record);
                    assertThat(event.eventType()).isEqualTo(type);
                    assertThat(event.streamId()).isEqualTo("game-\uD83C\uDFAE");
                    assertThat(event.data(JsonNode.class)).isEqualTo(JSON.readTree(data));
                }));
    }

    /** An event record as the bridge encodes it, of a stream with emoji in its id. */
    private ProducerRecord<byte[], byte[]> record(String eventType, String data) {
        RecordedEvent event = new RecordedEvent(42, "game-\uD83C\uDFAE", 1, eventType, 1, data, null,
                java.time.Instant.parse("2026-11-27T10:00:00Z"));
        return new EventRecordEncoder(rig.config(Map.of())).encode(event);
    }

    private static ProducerRecord<byte[], byte[]> withValue(ProducerRecord<byte[], byte[]> record, byte[] value) {
        return new ProducerRecord<>(record.topic(), null, record.timestamp(), record.key(), value, record.headers());
    }

    private static ProducerRecord<byte[], byte[]> withHeader(ProducerRecord<byte[], byte[]> record, String name, String value) {
        Headers headers = new RecordHeaders(record.headers().toArray());
        headers.remove(name);
        if (value != null) {
            headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
        return new ProducerRecord<>(record.topic(), null, record.timestamp(), record.key(), record.value(), headers);
    }

    private static ConsumedEvent deserialize(EventRecordDeserializer deserializer, ProducerRecord<byte[], byte[]> record) {
        return deserializer.deserialize(record.topic(), record.headers(), record.value());
    }

    private DynamicNode malformed(String name, EventRecordDeserializer deserializer, ProducerRecord<byte[], byte[]> record,
                                  String problem) {
        return dynamicTest(name, () -> assertThatThrownBy(() -> deserialize(deserializer, record))
                .isInstanceOf(MalformedEventRecordException.class)
                .satisfies(e -> {
                    assertThat(e.getMessage()).as("one line").doesNotContain("\n").contains(record.topic());
                    if (problem != null) {
                        assertThat(((MalformedEventRecordException) e).problem().code()).as(e.getMessage()).isEqualTo(problem);
                    }
                }));
    }

    // ---------------------------------------------------------------------------------- the rows

    private DynamicNode refused(String name, Executable action, Class<? extends Throwable> type, String message) {
        return dynamicTest(name, () -> {
            Counts before = counts();
            assertThatThrownBy(action::execute).isInstanceOf(type).hasMessageContaining(message)
                    .satisfies(e -> assertThat(e.getMessage()).as("one line").doesNotContain("\n"));
            assertThat(counts()).as("nothing written").isEqualTo(before);
        });
    }

    private record Counts(long events, long streams) {
    }

    private Counts counts() throws SQLException {
        try (Connection connection = rig.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT (SELECT count(*) FROM " + FaultRig.SCHEMA + ".events),"
                     + " (SELECT count(*) FROM " + FaultRig.SCHEMA + ".event_streams)")) {
            rs.next();
            return new Counts(rs.getLong(1), rs.getLong(2));
        }
    }

    private void assertSchemaIntact() throws SQLException {
        try (Connection connection = rig.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT to_regclass('" + FaultRig.SCHEMA + ".events') IS NOT NULL"
                     + " AND to_regclass('" + FaultRig.SCHEMA + ".subscriptions') IS NOT NULL")) {
            rs.next();
            assertThat(rs.getBoolean(1)).as("tables intact").isTrue();
        }
    }

    private void bridgeStillHealthy() throws Exception {
        BridgeHealth health = bridge.health();
        assertThat(bridge.terminated()).as("bridge running").isNotDone();
        assertThat(health.failure()).as("no failure").isNull();
        Verifier.Report report = rig.verify();
        // Only the 10 MiB event stored by raw SQL is absent from its topic: it is on the dead-letter topic.
        assertThat(report.missing()).as(FaultRig.describe(report)).isZero();
        assertThat(report.deadLettered()).as(FaultRig.describe(report)).isEqualTo(1);
        assertThat(report.deadLetteredExamples()).singleElement().asString().startsWith("big-1@1");
        assertThat(report.outOfOrder()).isZero();
        List<ConsumerRecord<String, byte[]>> records = rig.records().stream()
                .filter(r -> !r.topic().endsWith(".dead-letter")).toList();
        for (Accepted event : accepted) {
            assertThat(records).as("published: " + event.streamId())
                    .anySatisfy(r -> {
                        assertThat(r.key()).isEqualTo(event.streamId());
                        assertThat(header(r, "ce_type")).isEqualTo(event.eventType());
                        assertThat(JSON.readTree(r.value())).isEqualTo(JSON.readTree(event.data()));
                    });
        }
        FaultRig.report("bad-input", Map.of("accepted_rows", accepted.size(), "bridge_running", true,
                "missing_besides_dead_lettered", report.missing(), "duplicated", report.duplicated()));
    }
}
