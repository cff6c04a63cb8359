package dev.eventstore;

/**
 * An event to append: its type, the version of its type's schema, its data and metadata as JSON
 * text. Nothing is checked here: {@link EventStore#append} checks every event of a batch before
 * writing and names the first invalid one by its index.
 *
 * <p>Build one from JSON with {@link #of(String, String)} and the {@code with...} methods, or
 * from a Java object with {@link dev.eventstore.serializer.EventSerializer#toEventData}.
 *
 * @param eventType the event's type name, e.g. {@code GuessProcessed}: 1 to 255 characters
 * @param eventVersion the version of the type's schema, 1 or more (default 1); readers upcast
 *     older versions (see {@link dev.eventstore.serializer.EventTypeRegistry})
 * @param data the event's data: any JSON value, usually an object
 * @param metadata a JSON object (see {@link EventMetadata}), or {@code null}
 */
public record EventData(String eventType, int eventVersion, String data, String metadata) {

    public static final int DEFAULT_EVENT_VERSION = 1;

    /** An event of version 1 without metadata. */
    public static EventData of(String eventType, String data) {
        return new EventData(eventType, DEFAULT_EVENT_VERSION, data, null);
    }

    /** An event of version 1 with metadata. */
    public static EventData of(String eventType, String data, EventMetadata metadata) {
        return new EventData(eventType, DEFAULT_EVENT_VERSION, data, metadata == null || metadata.isEmpty() ? null : metadata.toJson());
    }

    public EventData withEventVersion(int version) {
        return new EventData(eventType, version, data, metadata);
    }

    public EventData withMetadata(EventMetadata newMetadata) {
        return new EventData(eventType, eventVersion, data,
                newMetadata == null || newMetadata.isEmpty() ? null : newMetadata.toJson());
    }

    /** This event with {@code metadataJson} as metadata, taken as it is (checked at append). */
    public EventData withMetadataJson(String metadataJson) {
        return new EventData(eventType, eventVersion, data, metadataJson);
    }

    /**
     * This event with a client-chosen id in its metadata ({@value EventMetadata#EVENT_UUID}): an
     * append retried with the same ids returns the first append's result instead of writing again.
     */
    public EventData withEventUuid(java.util.UUID eventUuid) {
        return withMetadata(eventMetadata().toBuilder().eventUuid(eventUuid).build());
    }

    /** The metadata parsed; empty when there is none. */
    public EventMetadata eventMetadata() {
        return EventMetadata.fromJson(metadata);
    }

    /** Type and version only: data and metadata carry player data, which is logged only at TRACE. */
    @Override
    public String toString() {
        return "EventData[" + eventType + " v" + eventVersion + "]";
    }
}
