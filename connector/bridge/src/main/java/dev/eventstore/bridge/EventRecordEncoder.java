package dev.eventstore.bridge;

import dev.eventstore.RecordedEvent;
import dev.eventstore.connect.EventRecordTransform;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;
import org.apache.kafka.connect.storage.StringConverter;

/**
 * Turns a change record of the events table into the Kafka record of its event: the
 * {@link EventRecordTransform} (the class a Kafka Connect deployment runs) and then Kafka
 * Connect's own String and header converters, so the bytes equal a Connect worker's. The bridge
 * encodes Debezium's change records; {@code republish} encodes rows read from PostgreSQL, shaped
 * as Debezium shapes them, so that republished records are identical to the originals.
 */
public final class EventRecordEncoder {

    private static final Schema JSON = SchemaBuilder.string().name("io.debezium.data.Json").version(1).build();
    private static final Schema OPTIONAL_JSON = SchemaBuilder.string().optional().name("io.debezium.data.Json").version(1).build();
    private static final Schema MICRO_TIMESTAMP = SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").version(1).build();
    private static final Schema ROW = SchemaBuilder.struct().name("eventstore.events.Value").optional()
            .field("event_id", Schema.INT64_SCHEMA)
            .field("stream_id", Schema.STRING_SCHEMA)
            .field("stream_version", Schema.INT64_SCHEMA)
            .field("event_type", Schema.STRING_SCHEMA)
            .field("event_version", Schema.INT32_SCHEMA)
            .field("data", JSON)
            .field("metadata", OPTIONAL_JSON)
            .field("created_at", MICRO_TIMESTAMP)
            .build();
    private static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("schema", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA)
            .build();
    private static final Schema ENVELOPE = SchemaBuilder.struct().name("eventstore.events.Envelope")
            .field("before", ROW)
            .field("after", ROW)
            .field("source", SOURCE)
            .field("op", Schema.STRING_SCHEMA)
            .build();

    private final EventRecordTransform<SourceRecord> transform = new EventRecordTransform<>();
    private final StringConverter strings = new StringConverter();
    private final SimpleHeaderConverter headers = new SimpleHeaderConverter();
    private final String schema;

    public EventRecordEncoder(BridgeConfig config) {
        transform.configure(config.transformProperties());
        strings.configure(Map.of("converter.encoding", "UTF-8"), false);
        headers.configure(Map.of());
        this.schema = config.schema().value();
    }

    /**
     * The event record of a change record, or {@code null} when the change is not an event:
     * dropped by the transform (update, delete, tombstone) or passed through unchanged (the
     * heartbeat table, Debezium's heartbeat topic).
     */
    public ProducerRecord<byte[], byte[]> encode(SourceRecord change) {
        SourceRecord event = transform.apply(change);
        if (event == null || event == change) {
            return null;
        }
        String topic = event.topic();
        RecordHeaders recordHeaders = new RecordHeaders();
        for (Header header : event.headers()) {
            recordHeaders.add(header.key(), headerBytes(topic, header));
        }
        byte[] key = strings.fromConnectData(topic, event.keySchema(), event.key());
        byte[] value = strings.fromConnectData(topic, event.valueSchema(), event.value());
        return new ProducerRecord<>(topic, null, event.timestamp(), key, value, recordHeaders);
    }

    /**
     * A header's bytes as Connect's {@link SimpleHeaderConverter} writes them. Every header of an
     * event is a string, which that converter writes as its UTF-8 bytes after copying it through a
     * StringBuilder; this writes the same bytes without the copy (the converter was a twentieth of
     * the bridge's mapping time in a JFR profile of a drain). Anything else goes to the converter.
     */
    private byte[] headerBytes(String topic, Header header) {
        if (header.value() instanceof String text && header.schema() != null
                && header.schema().type() == Schema.Type.STRING) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        return headers.fromConnectHeader(topic, header.key(), header.schema(), header.value());
    }

    /** The event record of a stored event, as the bridge publishes it. */
    public ProducerRecord<byte[], byte[]> encode(RecordedEvent event) {
        return encode(changeRecord(event));
    }

    /** A stored event shaped as Debezium's snapshot read of its row. */
    SourceRecord changeRecord(RecordedEvent event) {
        Struct row = new Struct(ROW)
                .put("event_id", event.eventId())
                .put("stream_id", event.streamId())
                .put("stream_version", event.streamVersion())
                .put("event_type", event.eventType())
                .put("event_version", event.eventVersion())
                .put("data", event.data())
                .put("metadata", event.metadata())
                .put("created_at", Math.addExact(Math.multiplyExact(event.createdAt().getEpochSecond(), 1_000_000L),
                        event.createdAt().getNano() / 1_000));
        Struct envelope = new Struct(ENVELOPE)
                .put("after", row)
                .put("source", new Struct(SOURCE).put("schema", schema).put("table", "events"))
                .put("op", "r");
        return new SourceRecord(Map.of(), Map.of(), "republish", null, null, null, ENVELOPE, envelope);
    }
}
