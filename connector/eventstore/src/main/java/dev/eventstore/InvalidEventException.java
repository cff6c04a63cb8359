package dev.eventstore;

/**
 * One event of an append is invalid (its type, data, metadata or size); the whole batch was
 * refused and nothing was written. The message names the event's index in the batch (0-based)
 * and the reason, never the event's contents.
 */
public class InvalidEventException extends InvalidRequestException {

    private final String streamId;
    private final int eventIndex;
    private final String reason;

    public InvalidEventException(String streamId, int eventIndex, String eventType, String reason) {
        this(streamId, eventIndex, eventType, reason, null);
    }

    public InvalidEventException(String streamId, int eventIndex, String eventType, String reason, Throwable cause) {
        super("invalid event at index " + eventIndex
                + (eventType == null || eventType.isBlank() || eventType.length() > Limits.MAX_EVENT_TYPE_LENGTH
                        ? "" : " (" + Text.quoteless(eventType) + ")")
                + " for stream " + Text.quote(streamId) + ": " + reason, cause);
        this.streamId = streamId;
        this.eventIndex = eventIndex;
        this.reason = reason;
    }

    public String streamId() {
        return streamId;
    }

    /** The event's position in the batch, from 0; -1 when PostgreSQL refused the batch without saying which. */
    public int eventIndex() {
        return eventIndex;
    }

    /** Why the event was refused, e.g. {@code the data is not valid JSON (line 1, column 9)}. */
    public String reason() {
        return reason;
    }
}
