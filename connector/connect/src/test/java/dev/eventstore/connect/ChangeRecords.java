package dev.eventstore.connect;

import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Debezium-shaped change records of the events table, built by hand with the schema names and
 * types Debezium 3.6's PostgresConnector uses (jsonb as io.debezium.data.Json strings, timestamp
 * as io.debezium.time.MicroTimestamp, the PostgreSQL source block with schema and table).
 */
final class ChangeRecords {

    static final String TOPIC = "eventstore.eventstore.events";
    static final Map<String, ?> SOURCE_PARTITION = Map.of("server", "eventstore");
    static final Map<String, ?> SOURCE_OFFSET = Map.of("lsn", 24_023_128L, "txId", 771L, "ts_usec", 1_714_566_896_789_012L);

    /** 2024-05-01T12:34:56.789012Z */
    static final long CREATED_AT_MICROS = 1_714_566_896_789_012L;
    static final String DATA = "{\"score\": 7, \"player\": \"Ada Lovelace\"}";
    static final String METADATA = "{\"causation_id\": \"c-1\", \"correlation_id\": \"r-9\"}";

    static final Schema JSON = SchemaBuilder.string().name("io.debezium.data.Json").version(1).build();
    static final Schema OPTIONAL_JSON = SchemaBuilder.string().optional().name("io.debezium.data.Json").version(1).build();
    static final Schema MICRO_TIMESTAMP = SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").version(1).build();

    static final Schema KEY_SCHEMA = SchemaBuilder.struct().name("eventstore.eventstore.events.Key")
            .field("event_id", Schema.INT64_SCHEMA)
            .build();

    static final Schema ROW_SCHEMA = rowSchema(MICRO_TIMESTAMP);

    static final Schema SOURCE_SCHEMA = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("version", Schema.STRING_SCHEMA)
            .field("connector", Schema.STRING_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA)
            .field("snapshot", SchemaBuilder.string().optional().defaultValue("false").build())
            .field("db", Schema.STRING_SCHEMA)
            .field("sequence", Schema.OPTIONAL_STRING_SCHEMA)
            .field("ts_us", Schema.OPTIONAL_INT64_SCHEMA)
            .field("ts_ns", Schema.OPTIONAL_INT64_SCHEMA)
            .field("schema", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA)
            .field("txId", Schema.OPTIONAL_INT64_SCHEMA)
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .field("xmin", Schema.OPTIONAL_INT64_SCHEMA)
            .build();

    static final Schema ENVELOPE_SCHEMA = envelopeSchema(ROW_SCHEMA);

    private ChangeRecords() {
    }

    static Schema rowSchema(Schema createdAtSchema) {
        return SchemaBuilder.struct().name("eventstore.eventstore.events.Value")
                .field("event_id", Schema.INT64_SCHEMA)
                .field("stream_id", Schema.STRING_SCHEMA)
                .field("stream_version", Schema.INT64_SCHEMA)
                .field("event_type", Schema.STRING_SCHEMA)
                .field("event_version", Schema.INT32_SCHEMA)
                .field("data", JSON)
                .field("metadata", OPTIONAL_JSON)
                .field("created_at", createdAtSchema)
                .build();
    }

    static Schema envelopeSchema(Schema rowSchema) {
        SchemaBuilder optional = SchemaBuilder.struct().name(rowSchema.name()).optional();
        rowSchema.fields().forEach(field -> optional.field(field.name(), field.schema()));
        Schema optionalRow = optional.build();
        return SchemaBuilder.struct().name("eventstore.eventstore.events.Envelope").version(2)
                .field("before", optionalRow)
                .field("after", optionalRow)
                .field("source", SOURCE_SCHEMA)
                .field("transaction", SchemaBuilder.struct().name("event.block").optional()
                        .field("id", Schema.STRING_SCHEMA)
                        .field("total_order", Schema.INT64_SCHEMA)
                        .field("data_collection_order", Schema.INT64_SCHEMA)
                        .build())
                .field("op", Schema.STRING_SCHEMA)
                .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
                .field("ts_us", Schema.OPTIONAL_INT64_SCHEMA)
                .field("ts_ns", Schema.OPTIONAL_INT64_SCHEMA)
                .build();
    }

    /** A row of the events table, as Debezium's value of {@code after}. */
    static Struct row(long eventId, String streamId, long streamVersion, String eventType, int eventVersion,
            String data, String metadata, long createdAtMicros) {
        return new Struct(ENVELOPE_SCHEMA.field("after").schema())
                .put("event_id", eventId)
                .put("stream_id", streamId)
                .put("stream_version", streamVersion)
                .put("event_type", eventType)
                .put("event_version", eventVersion)
                .put("data", data)
                .put("metadata", metadata)
                .put("created_at", createdAtMicros);
    }

    static Struct row() {
        return row(17L, "game-42", 3L, "ScoreChanged", 2, DATA, METADATA, CREATED_AT_MICROS);
    }

    static Struct source(String schema, String table) {
        return new Struct(SOURCE_SCHEMA)
                .put("version", "3.6.1.Final")
                .put("connector", "postgresql")
                .put("name", "eventstore")
                .put("ts_ms", 1_714_566_896_790L)
                .put("snapshot", "false")
                .put("db", "eventstore")
                .put("schema", schema)
                .put("table", table)
                .put("txId", 771L)
                .put("lsn", 24_023_128L);
    }

    static Struct envelope(String op, Struct before, Struct after, Struct source) {
        return new Struct(ENVELOPE_SCHEMA)
                .put("before", before)
                .put("after", after)
                .put("source", source)
                .put("op", op)
                .put("ts_ms", 1_714_566_896_800L);
    }

    static Struct key(long eventId) {
        return new Struct(KEY_SCHEMA).put("event_id", eventId);
    }

    static SourceRecord changeRecord(String op, Struct before, Struct after) {
        return changeRecord(envelope(op, before, after, source("eventstore", "events")));
    }

    static SourceRecord changeRecord(Struct envelope) {
        return new SourceRecord(SOURCE_PARTITION, SOURCE_OFFSET, TOPIC, null,
                KEY_SCHEMA, key(17L), envelope.schema(), envelope, 1_714_566_896_800L);
    }

    static SourceRecord insert(Struct row) {
        return changeRecord("c", null, row);
    }

    static SourceRecord insert() {
        return insert(row());
    }
}
