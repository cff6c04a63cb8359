package dev.eventstore.connect;

import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * Turns a Debezium change record of a row of the event store's {@code events} table into the
 * event record that Kafka consumers read. The one mapping of the product: the embedded bridge
 * applies this class to every change record, and a Kafka Connect worker applies it beside
 * Debezium's {@code PostgresConnector}, so the two deployments write identical records.
 *
 * <h2>Record contract</h2>
 * For a change record whose {@code source.schema}/{@code source.table} are the configured events
 * table and whose {@code op} is {@code c} (insert) or {@code r} (snapshot read):
 * <ul>
 *   <li><b>topic</b>: {@code <topic.prefix>.<category>}, the category being the stream id before
 *       its first '-' ({@code game-42} goes to {@code eventstore.game}), made a legal topic name as
 *       {@code topic.mode} documents; or {@code topic.single.name} in single-topic mode;</li>
 *   <li><b>partition</b>: the input record's (Debezium leaves it unset, so the producer's default
 *       partitioner hashes the key and each stream stays in one partition, in order);</li>
 *   <li><b>key</b>: {@code stream_id}, {@link org.apache.kafka.connect.data.Schema#STRING_SCHEMA};</li>
 *   <li><b>value</b>: binary mode: the event's {@code data} JSON text as PostgreSQL normalised it;
 *       structured mode: the whole CloudEvent as JSON. A string
 *       ({@link org.apache.kafka.connect.data.Schema#STRING_SCHEMA}), so Connect's
 *       {@code StringConverter} and a producer's {@code StringSerializer} write the same bytes;</li>
 *   <li><b>timestamp</b>: {@code created_at} (stored as UTC) in epoch milliseconds, rounded down;</li>
 *   <li><b>headers</b> (string values, see {@link EventRecordHeaders}): binary mode
 *       {@code ce_specversion=1.0}, {@code ce_id=<event_id>}, {@code ce_source=<cloudevents.source>},
 *       {@code ce_type=<event_type>}, {@code ce_subject=<stream_id>},
 *       {@code ce_time=<created_at, RFC 3339 UTC, microseconds>}, {@code content-type=application/json},
 *       {@code ce_streamversion}, {@code ce_eventversion}, then {@code ce_metadata} (the metadata
 *       JSON; absent when SQL NULL) and {@code ce_correlationid}/{@code ce_causationid} (when the
 *       metadata object has a string or number {@code correlation_id}/{@code causation_id}, or
 *       camel-case {@code correlationId}/{@code causationId}). Structured mode: only
 *       {@code content-type=application/cloudevents+json; charset=UTF-8}. The input record's headers
 *       are not carried over: they describe the change, not the event.</li>
 * </ul>
 *
 * <h2>Dropped and passed through</h2>
 * Updates ({@code u}), deletes ({@code d}), truncates ({@code t}) and tombstones of the events
 * table are dropped ({@code null} is returned) with a WARN log that names the topic, partition and
 * offset but nothing of the event: events are immutable, so such a change is maintenance, not an
 * event. Every other record passes through unchanged (the same instance): records of other tables or
 * schemas, Debezium heartbeats and transaction markers, values that are not Debezium envelopes.
 *
 * <h2>Errors</h2>
 * A change record of the events table that cannot be mapped (a field missing, null or of the wrong
 * type; an unknown {@code op}) raises a {@link org.apache.kafka.connect.errors.DataException} that
 * names the record's topic, partition and offset and the field, never its contents.
 *
 * <h2>Contract as a transformation</h2>
 * {@link #apply} never mutates its input, is thread-safe once {@link #configure configured}, and
 * returns {@code null} to drop a record.
 *
 * @param <R> the record type: {@link org.apache.kafka.connect.source.SourceRecord} on a Connect
 *     worker and in the bridge
 */
public class EventRecordTransform<R extends ConnectRecord<R>> implements Transformation<R> {

    public static final String OVERVIEW_DOC =
            "Turns a Debezium change record of the event store's <code>events</code> table into the event record: "
                    + "topic <code>&lt;topic.prefix&gt;.&lt;category&gt;</code> (or a single topic), key the stream "
                    + "id, value the event's data JSON (or the whole CloudEvent in structured mode), timestamp "
                    + "<code>created_at</code>, CloudEvents headers (<code>ce_specversion</code>, <code>ce_id</code>, "
                    + "<code>ce_source</code>, <code>ce_type</code>, <code>ce_subject</code>, <code>ce_time</code>, "
                    + "<code>content-type</code>, <code>ce_streamversion</code>, <code>ce_eventversion</code>, "
                    + "<code>ce_metadata</code>, <code>ce_correlationid</code>, <code>ce_causationid</code>). "
                    + "Inserts and snapshot reads are published; updates, deletes, truncates and tombstones of the "
                    + "events table are dropped with a warning; every other record passes through unchanged. "
                    + "Use <code>value.converter=org.apache.kafka.connect.storage.StringConverter</code> and "
                    + "<code>key.converter=org.apache.kafka.connect.storage.StringConverter</code> on the connector.";

    /** Every configuration key, typed, defaulted, validated and documented. */
    public static final ConfigDef CONFIG_DEF = EventRecordTransformConfig.definition();

    private volatile EventRecordMapper mapper;

    @Override
    public void configure(Map<String, ?> configs) {
        mapper = new EventRecordMapper(new EventRecordTransformConfig(configs));
    }

    /**
     * The event record of {@code record}, {@code null} to drop it, or {@code record} itself when it
     * is not a change record of the events table. Never mutates {@code record}.
     */
    @Override
    public R apply(R record) {
        EventRecordMapper current = mapper;
        if (current == null) {
            throw new IllegalStateException("EventRecordTransform.apply called before configure");
        }
        return current.apply(record);
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public void close() {
        mapper = null;
    }

    @Override
    public String version() {
        String version = EventRecordTransform.class.getPackage().getImplementationVersion();
        return version != null ? version : "unknown";
    }
}
