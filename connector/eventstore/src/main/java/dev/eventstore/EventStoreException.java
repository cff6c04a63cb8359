package dev.eventstore;

/**
 * The root of every error the event store reports. Its message is one line that names the
 * problem in the caller's terms (a stream, an event, a migration), never a password.
 */
public class EventStoreException extends RuntimeException {

    public EventStoreException(String message) {
        super(message);
    }

    public EventStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
