package dev.eventstore;

import java.util.UUID;

/**
 * An append carries an {@value EventMetadata#EVENT_UUID} that the stream already holds, and is not a
 * retry of the append that wrote it: the stored event's type, version, data or metadata differ, or
 * only part of the batch is stored. Nothing was written.
 */
public class DuplicateEventUuidException extends EventStoreException {

    private final String streamId;
    private final UUID eventUuid;

    public DuplicateEventUuidException(String streamId, UUID eventUuid, String message) {
        super(message);
        this.streamId = streamId;
        this.eventUuid = eventUuid;
    }

    public String streamId() {
        return streamId;
    }

    /** The id that is already in the stream. */
    public UUID eventUuid() {
        return eventUuid;
    }
}
