package dev.eventstore;

import java.time.Instant;

/**
 * An event as stored.
 *
 * @param eventId the store-wide id (a sequence value: unique, but NOT in commit order across
 *     streams; never resume anything from it)
 * @param streamId the stream it belongs to
 * @param streamVersion its position in the stream: 1, 2, 3, ... without gaps
 * @param eventType its type name
 * @param eventVersion the version of its type's schema when it was written
 * @param data its data, JSON text (PostgreSQL's normalised jsonb form: key order and spacing may
 *     differ from what was appended)
 * @param metadata its metadata, a JSON object, or {@code null}
 * @param createdAt when it was appended (the appending transaction's start), UTC
 */
public record RecordedEvent(long eventId, String streamId, long streamVersion, String eventType, int eventVersion,
                            String data, String metadata, Instant createdAt) {

    /** The metadata parsed; empty when there is none. */
    public EventMetadata eventMetadata() {
        return EventMetadata.fromJson(metadata);
    }

    /** Ids, type and time only: data and metadata carry player data, which is logged only at TRACE. */
    @Override
    public String toString() {
        return "RecordedEvent[" + streamId + "@" + streamVersion + " #" + eventId + " " + eventType + " v" + eventVersion
                + " " + createdAt + "]";
    }
}
