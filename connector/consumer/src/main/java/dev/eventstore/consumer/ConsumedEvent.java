package dev.eventstore.consumer;

import dev.eventstore.EventMetadata;
import java.time.Instant;
import java.util.Objects;

/**
 * One event read from a Kafka event record, its data typed through the event serializer's
 * registry (and upcast to the registered version). Duplicates (the bridge publishes at least
 * once) are recognisable by {@code (streamId, streamVersion)} or by {@code eventId}.
 *
 * @param eventId {@code events.event_id} ({@code ce_id}); unique, but not in commit order: never resume from it
 * @param streamId the stream ({@code ce_subject}, also the record key)
 * @param streamVersion the event's position in its stream: 1, 2, 3, ... ({@code ce_streamversion})
 * @param eventType the event type name ({@code ce_type})
 * @param eventVersion the version of the event's schema <b>as it was written</b> ({@code ce_eventversion})
 * @param dataVersion the version of the schema {@code data} is in <b>after upcasting</b>: the registered
 *     type's current version; equal to {@code eventVersion} when no upcaster ran (and for an event of an
 *     unregistered type read leniently)
 * @param createdAt when the event was appended, UTC ({@code ce_time})
 * @param metadata the event's metadata, JSON object text ({@code ce_metadata}), or {@code null}
 * @param data the event's data as its registered class; a Jackson {@code JsonNode} for an
 *     unregistered type when the deserializer is lenient
 * @param topic the Kafka topic it was read from, or {@code null}
 * @param partition the Kafka partition, or {@link #NO_PARTITION} until the subscriber attaches it
 * @param offset the Kafka offset, or {@link #NO_OFFSET} until the subscriber attaches it
 */
public record ConsumedEvent(long eventId, String streamId, long streamVersion, String eventType, int eventVersion,
                            int dataVersion, Instant createdAt, String metadata, Object data,
                            String topic, int partition, long offset) {

    public static final int NO_PARTITION = -1;
    public static final long NO_OFFSET = -1L;

    public ConsumedEvent {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(data, "data");
    }

    /** This event at a Kafka position (as the subscriber attaches it from the record). */
    public ConsumedEvent withPosition(String topic, int partition, long offset) {
        return new ConsumedEvent(eventId, streamId, streamVersion, eventType, eventVersion, dataVersion, createdAt,
                metadata, data, topic, partition, offset);
    }

    /** Whether a topic, partition and offset are attached. */
    public boolean hasPosition() {
        return topic != null && partition != NO_PARTITION && offset != NO_OFFSET;
    }

    /** Whether an upcaster changed the data's shape ({@code dataVersion != eventVersion}). */
    public boolean upcast() {
        return dataVersion != eventVersion;
    }

    /** The data as {@code type}. */
    public <T> T data(Class<T> type) {
        if (!type.isInstance(data)) {
            throw new ClassCastException("event " + streamId + "@" + streamVersion + " (" + eventType + ") is a "
                    + data.getClass().getName() + ", not a " + type.getName());
        }
        return type.cast(data);
    }

    /** The metadata parsed; empty when there is none. */
    public EventMetadata eventMetadata() {
        return EventMetadata.fromJson(metadata);
    }

    /** {@code topic-partition@offset}, or {@code topic} alone when no position is attached. */
    public String position() {
        return hasPosition() ? topic + "-" + partition + "@" + offset : String.valueOf(topic);
    }

    /** Ids, type, versions and position only: data and metadata carry player data, which is logged only at TRACE. */
    @Override
    public String toString() {
        return "ConsumedEvent[" + streamId + "@" + streamVersion + " #" + eventId + " " + eventType + " v" + eventVersion
                + (upcast() ? "->v" + dataVersion : "") + " " + createdAt + " at " + position() + "]";
    }
}
