package dev.eventstore.connect;

import dev.eventstore.connect.EventRecordTransformConfig.CloudEventsMode;
import dev.eventstore.connect.EventRecordTransformConfig.TopicMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logic behind {@link EventRecordTransform}, which is a thin facade over it (as Debezium's
 * outbox {@code EventRouter} is over its delegate). Thread-safe: its settings are final, the row
 * fields it remembers are an immutable record read through one volatile field, and the topics it
 * remembers are in a concurrent map.
 */
final class EventRecordMapper {

    static final String DEBEZIUM_JSON = "io.debezium.data.Json";
    static final String DEBEZIUM_MICRO_TIMESTAMP = "io.debezium.time.MicroTimestamp";
    static final String DEBEZIUM_NANO_TIMESTAMP = "io.debezium.time.NanoTimestamp";
    static final String DEBEZIUM_MILLI_TIMESTAMP = "io.debezium.time.Timestamp";

    private static final Logger log = LoggerFactory.getLogger(EventRecordTransform.class);

    /** The metadata members that become tracing headers; no other member is copied. */
    private static final Set<String> TRACING_MEMBERS =
            Set.of("correlation_id", "correlationId", "causation_id", "causationId");
    private static final int TOPICS_REMEMBERED = 10_000;

    private static final DateTimeFormatter RFC_3339_MICROS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final String eventsSchema;
    private final String eventsTable;
    private final String keySchemaSuffix;
    private final String topicSuffix;
    private final String topicPrefix;
    private final String singleTopic;
    private final String source;
    private final boolean structured;
    private final long timestampMaxFutureMs;
    private final ConcurrentHashMap<String, String> topics = new ConcurrentHashMap<>();
    private volatile RowFields rowFields;

    EventRecordMapper(EventRecordTransformConfig config) {
        eventsSchema = config.eventsSchema();
        eventsTable = config.eventsTable();
        keySchemaSuffix = "." + eventsSchema + "." + eventsTable + ".Key";
        topicSuffix = "." + eventsSchema + "." + eventsTable;
        topicPrefix = config.topicPrefix();
        singleTopic = config.topicMode() == TopicMode.SINGLE ? config.singleTopicName() : null;
        source = config.cloudEventsSource();
        structured = config.cloudEventsMode() == CloudEventsMode.STRUCTURED;
        timestampMaxFutureMs = config.timestampMaxFutureMs();
    }

    <R extends ConnectRecord<R>> R apply(R record) {
        Object value = record.value();
        if (value == null) {
            if (isEventsTableTombstone(record)) {
                log.warn("Dropped a tombstone of {}.{} at {}: events are immutable, only inserts and snapshot "
                        + "reads are published", eventsSchema, eventsTable, position(record));
                return null;
            }
            return record;
        }
        if (!(value instanceof Struct envelope) || !isEventsTableChange(envelope)) {
            return record;
        }
        String op = requiredString(record, envelope, "op", "op");
        switch (op) {
            case "c":
            case "r":
                return eventRecord(record, requiredStruct(record, envelope, "after"));
            case "u":
            case "d":
            case "t":
                log.warn("Dropped a change record of {}.{} with op '{}' ({}) at {}: events are immutable, only "
                        + "inserts and snapshot reads are published",
                        eventsSchema, eventsTable, op, operationName(op), position(record));
                return null;
            default:
                throw unmappable(record, "op", "is '" + op + "', not one of c, r, u, d, t");
        }
    }

    private boolean isEventsTableChange(Struct envelope) {
        Schema schema = envelope.schema();
        Field sourceField = schema.field("source");
        if (sourceField == null || schema.field("op") == null || sourceField.schema().type() != Schema.Type.STRUCT) {
            return false;
        }
        Struct sourceStruct = envelope.getStruct("source");
        if (sourceStruct == null) {
            return false;
        }
        Schema sourceSchema = sourceStruct.schema();
        if (sourceSchema.field("schema") == null || sourceSchema.field("table") == null) {
            return false;
        }
        return eventsSchema.equals(sourceStruct.get("schema")) && eventsTable.equals(sourceStruct.get("table"));
    }

    /**
     * A tombstone (null value) carries no source block; it belongs to the events table when its key
     * schema is Debezium's key of that table or it is on that table's change topic.
     */
    private boolean isEventsTableTombstone(ConnectRecord<?> record) {
        Schema keySchema = record.keySchema();
        if (keySchema != null && keySchema.name() != null && keySchema.name().endsWith(keySchemaSuffix)) {
            return true;
        }
        return record.topic() != null && record.topic().endsWith(topicSuffix);
    }

    private <R extends ConnectRecord<R>> R eventRecord(R record, Struct after) {
        RowFields fields = rowFields(after.schema());
        long eventId = requiredLong(record, after, fields.eventId);
        String streamId = requiredString(record, after, fields.streamId);
        long streamVersion = requiredLong(record, after, fields.streamVersion);
        String eventType = requiredString(record, after, fields.eventType);
        long eventVersion = requiredLong(record, after, fields.eventVersion);
        String data = requiredString(record, after, fields.data);
        String metadata = fields.metadata == null ? null : (String) after.get(field(record, fields.metadata));
        long createdAtMicros = createdAtMicros(record, after, field(record, fields.createdAt));

        String id = Long.toString(eventId);
        String time = rfc3339Micros(createdAtMicros);
        Map<String, String> metadataScalars = metadata == null ? Map.of() : JsonText.topLevelScalars(metadata, TRACING_MEMBERS);
        String correlationId = firstPresent(metadataScalars, "correlation_id", "correlationId");
        String causationId = firstPresent(metadataScalars, "causation_id", "causationId");

        ConnectHeaders headers = new ConnectHeaders();
        String value;
        if (structured) {
            StringBuilder json = new StringBuilder(data.length() + 512).append('{');
            member(json, "specversion", EventRecordHeaders.SPEC_VERSION_VALUE);
            member(json, "id", id);
            member(json, "source", source);
            member(json, "type", eventType);
            member(json, "subject", streamId);
            member(json, "time", time);
            member(json, "datacontenttype", EventRecordHeaders.CONTENT_TYPE_JSON);
            member(json, "streamversion", Long.toString(streamVersion));
            member(json, "eventversion", Long.toString(eventVersion));
            if (metadata != null) {
                member(json, "metadata", metadata);
            }
            if (correlationId != null) {
                member(json, "correlationid", correlationId);
            }
            if (causationId != null) {
                member(json, "causationid", causationId);
            }
            json.append("\"data\":").append(data).append('}');
            value = json.toString();
            headers.addString(EventRecordHeaders.CONTENT_TYPE, EventRecordHeaders.CONTENT_TYPE_CLOUDEVENTS_JSON);
        } else {
            value = data;
            headers.addString(EventRecordHeaders.SPEC_VERSION, EventRecordHeaders.SPEC_VERSION_VALUE);
            headers.addString(EventRecordHeaders.ID, id);
            headers.addString(EventRecordHeaders.SOURCE, source);
            headers.addString(EventRecordHeaders.TYPE, eventType);
            headers.addString(EventRecordHeaders.SUBJECT, streamId);
            headers.addString(EventRecordHeaders.TIME, time);
            headers.addString(EventRecordHeaders.CONTENT_TYPE, EventRecordHeaders.CONTENT_TYPE_JSON);
            headers.addString(EventRecordHeaders.STREAM_VERSION, Long.toString(streamVersion));
            headers.addString(EventRecordHeaders.EVENT_VERSION, Long.toString(eventVersion));
            if (metadata != null) {
                headers.addString(EventRecordHeaders.METADATA, metadata);
            }
            if (correlationId != null) {
                headers.addString(EventRecordHeaders.CORRELATION_ID, correlationId);
            }
            if (causationId != null) {
                headers.addString(EventRecordHeaders.CAUSATION_ID, causationId);
            }
        }

        String topic = singleTopic != null ? singleTopic : categoryTopic(streamId);
        return record.newRecord(topic, record.kafkaPartition(),
                Schema.STRING_SCHEMA, streamId,
                Schema.STRING_SCHEMA, value,
                recordTimestamp(Math.floorDiv(createdAtMicros, 1000L), System.currentTimeMillis()),
                headers);
    }

    /**
     * The record's timestamp: {@code created_at} in epoch milliseconds, or {@code null} (Kafka
     * stamps the send time) where Kafka would refuse it: before 1970, or too far ahead.
     */
    Long recordTimestamp(long createdAtMillis, long nowMillis) {
        if (createdAtMillis < 0 || createdAtMillis - nowMillis > timestampMaxFutureMs) {
            return null;
        }
        return createdAtMillis;
    }

    private static void member(StringBuilder json, String name, String value) {
        json.append('"').append(name).append("\":").append(JsonText.quote(value)).append(',');
    }

    private static String firstPresent(Map<String, String> members, String... names) {
        for (String name : names) {
            String value = members.get(name);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /**
     * {@code micros} as RFC 3339 UTC with microseconds ({@code 2024-05-01T12:00:00.123456Z}),
     * written digit by digit: DateTimeFormatter took a quarter of the mapping's time in a JFR
     * profile of the bridge (BENCHMARKS.md). Years outside 0000 to 9999 go through it still.
     */
    static String rfc3339Micros(long micros) {
        long seconds = Math.floorDiv(micros, 1_000_000L);
        int fraction = (int) Math.floorMod(micros, 1_000_000L);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
        java.time.LocalDate date = java.time.LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400L));
        if (date.getYear() < 0 || date.getYear() > 9999) {
            return RFC_3339_MICROS.format(instantOfMicros(micros));
        }
        char[] text = new char[27];
        digits(text, 0, date.getYear(), 4);
        text[4] = '-';
        digits(text, 5, date.getMonthValue(), 2);
        text[7] = '-';
        digits(text, 8, date.getDayOfMonth(), 2);
        text[10] = 'T';
        digits(text, 11, secondOfDay / 3600, 2);
        text[13] = ':';
        digits(text, 14, secondOfDay / 60 % 60, 2);
        text[16] = ':';
        digits(text, 17, secondOfDay % 60, 2);
        text[19] = '.';
        digits(text, 20, fraction, 6);
        text[26] = 'Z';
        return new String(text);
    }

    private static void digits(char[] text, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            text[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    static Instant instantOfMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    /**
     * {@code created_at} in epoch microseconds. Debezium encodes a {@code timestamp} column by its
     * {@code time.precision.mode}: {@code adaptive} (the default) and {@code adaptive_time_microseconds}
     * give MicroTimestamp for {@code timestamp(6)}; {@code connect} gives Connect's Timestamp (a Date).
     * All are the wall-clock value read as UTC, which is what the store writes.
     */
    private static long createdAtMicros(ConnectRecord<?> record, Struct after, Field field) {
        String path = "after.created_at";
        Object value = after.get(field);
        if (value == null) {
            throw unmappable(record, path, "is null");
        }
        String name = field.schema().name();
        Schema.Type type = field.schema().type();
        if (type == Schema.Type.INT64 && value instanceof Long number) {
            if (DEBEZIUM_MICRO_TIMESTAMP.equals(name)) {
                return number;
            }
            if (DEBEZIUM_NANO_TIMESTAMP.equals(name)) {
                return Math.floorDiv(number, 1_000L);
            }
            if (DEBEZIUM_MILLI_TIMESTAMP.equals(name)) {
                return Math.multiplyExact(number, 1_000L);
            }
        }
        if (Timestamp.LOGICAL_NAME.equals(name) && value instanceof Date date) {
            return Math.multiplyExact(date.getTime(), 1_000L);
        }
        throw unmappable(record, path, "has schema " + name + " (" + type + "); expected "
                + DEBEZIUM_MICRO_TIMESTAMP + " (INT64)");
    }

    private static Struct requiredStruct(ConnectRecord<?> record, Struct parent, String name) {
        Field field = parent.schema().field(name);
        if (field == null) {
            throw unmappable(record, name, "is missing");
        }
        if (field.schema().type() != Schema.Type.STRUCT) {
            throw unmappable(record, name, "is " + field.schema().type() + ", expected STRUCT");
        }
        Object value = parent.get(field);
        if (value == null) {
            throw unmappable(record, name, "is null");
        }
        return (Struct) value;
    }

    private static String requiredString(ConnectRecord<?> record, Struct parent, String name, String path) {
        return requiredString(record, parent, FieldRef.string(parent.schema(), name, path));
    }

    private static String requiredString(ConnectRecord<?> record, Struct parent, FieldRef ref) {
        Object value = parent.get(field(record, ref));
        if (value == null) {
            throw unmappable(record, ref.path, "is null");
        }
        return (String) value;
    }

    private static long requiredLong(ConnectRecord<?> record, Struct after, FieldRef ref) {
        Object value = after.get(field(record, ref));
        if (value == null) {
            throw unmappable(record, ref.path, "is null");
        }
        return ((Number) value).longValue();
    }

    /** The field, or the problem with its schema as a DataException. */
    private static Field field(ConnectRecord<?> record, FieldRef ref) {
        if (ref.problem != null) {
            throw unmappable(record, ref.path, ref.problem);
        }
        return ref.field;
    }

    /**
     * The fields of the row schema, looked up once per schema: Debezium keeps one schema instance
     * per table until the table changes, so each record costs array reads instead of name lookups
     * (those were a tenth of the bridge's mapping time in a JFR profile of a drain). A field's
     * schema problem is kept and raised when the record reaches that field, so a record is
     * reported as before: the first field in column order that is missing, mistyped or null.
     */
    private RowFields rowFields(Schema row) {
        RowFields known = rowFields;
        if (known != null && known.schema == row) {
            return known;
        }
        RowFields fields = new RowFields(row,
                FieldRef.integer(row, "event_id"),
                FieldRef.string(row, "stream_id", "after.stream_id"),
                FieldRef.integer(row, "stream_version"),
                FieldRef.string(row, "event_type", "after.event_type"),
                FieldRef.integer(row, "event_version"),
                FieldRef.string(row, "data", "after.data"),
                row.field("metadata") == null ? null : FieldRef.string(row, "metadata", "after.metadata"),
                FieldRef.present(row, "created_at", "after.created_at"));
        rowFields = fields;
        return fields;
    }

    private record RowFields(Schema schema, FieldRef eventId, FieldRef streamId, FieldRef streamVersion,
                             FieldRef eventType, FieldRef eventVersion, FieldRef data, FieldRef metadata,
                             FieldRef createdAt) {
    }

    /** A field of a schema, or what is wrong with it ({@code problem}, for the message). */
    private record FieldRef(Field field, String path, String problem) {

        static FieldRef present(Schema schema, String name, String path) {
            Field field = schema.field(name);
            return new FieldRef(field, path, field == null ? "is missing" : null);
        }

        static FieldRef string(Schema schema, String name, String path) {
            FieldRef ref = present(schema, name, path);
            if (ref.problem == null && ref.field.schema().type() != Schema.Type.STRING) {
                return new FieldRef(null, path, "is " + ref.field.schema().type() + ", expected STRING");
            }
            return ref;
        }

        static FieldRef integer(Schema schema, String name) {
            FieldRef ref = present(schema, name, "after." + name);
            if (ref.problem != null) {
                return ref;
            }
            Schema.Type type = ref.field.schema().type();
            if (type != Schema.Type.INT64 && type != Schema.Type.INT32 && type != Schema.Type.INT16
                    && type != Schema.Type.INT8) {
                return new FieldRef(null, ref.path, "is " + type + ", expected an integer");
            }
            return ref;
        }
    }

    /**
     * The topic of a stream's category, remembered for up to {@link #TOPICS_REMEMBERED} categories:
     * a store has few, and the producer then hashes one topic string per category, not per record.
     */
    private String categoryTopic(String streamId) {
        String category = TopicNames.category(streamId);
        String topic = topics.get(category);
        if (topic == null) {
            topic = TopicNames.categoryTopic(topicPrefix, streamId);
            // A category longer than a topic name is kept out: a stream id is unbounded text.
            if (topics.size() < TOPICS_REMEMBERED && category.length() <= EventRecordTransformConfig.MAX_TOPIC_LENGTH) {
                topics.putIfAbsent(category, topic);
            }
        }
        return topic;
    }

    /** Names the record's position and the field, never the record's contents (events carry player data). */
    private static DataException unmappable(ConnectRecord<?> record, String field, String problem) {
        return new DataException("Cannot map the change record at " + position(record) + " to an event record: field '"
                + field + "' " + problem);
    }

    static String position(ConnectRecord<?> record) {
        StringBuilder out = new StringBuilder("topic '").append(record.topic()).append("' partition ")
                .append(record.kafkaPartition()).append(" offset ");
        if (record instanceof SourceRecord sourceRecord) {
            out.append(sourceRecord.sourceOffset());
        } else if (record instanceof SinkRecord sinkRecord) {
            out.append(sinkRecord.kafkaOffset());
        } else {
            out.append("unknown");
        }
        return out.toString();
    }

    private static String operationName(String op) {
        return switch (op) {
            case "u" -> "update";
            case "d" -> "delete";
            case "t" -> "truncate";
            default -> op;
        };
    }
}
