package dev.eventstore;

/**
 * A request the store refuses before writing anything: an invalid stream id, expected version,
 * subscription id or read position, or an empty batch. {@link InvalidEventException} is the
 * variant for one event of a batch.
 */
public class InvalidRequestException extends EventStoreException {

    public InvalidRequestException(String message) {
        super(message);
    }

    public InvalidRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
