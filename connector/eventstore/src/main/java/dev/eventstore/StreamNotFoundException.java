package dev.eventstore;

/** No stream has this id: nothing was ever appended to it. */
public class StreamNotFoundException extends EventStoreException {

    private final String streamId;

    public StreamNotFoundException(String streamId) {
        super("stream " + Text.quote(streamId) + " not found");
        this.streamId = streamId;
    }

    public String streamId() {
        return streamId;
    }
}
