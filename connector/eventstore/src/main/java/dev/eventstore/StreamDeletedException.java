package dev.eventstore;

/** The stream is soft-deleted: appends to it and reads of it are refused (see {@link EventStore#deleteStream}). */
public class StreamDeletedException extends EventStoreException {

    private final String streamId;

    public StreamDeletedException(String streamId, String message) {
        super(message);
        this.streamId = streamId;
    }

    public StreamDeletedException(String streamId) {
        this(streamId, "stream " + Text.quote(streamId) + " is deleted");
    }

    public String streamId() {
        return streamId;
    }
}
