package dev.eventstore.serializer;

import dev.eventstore.EventStoreException;

/** An event cannot be written as JSON or read back as its Java class; the message names the event type, never its data. */
public class SerializationException extends EventStoreException {

    public SerializationException(String message) {
        super(message);
    }

    public SerializationException(String message, Throwable cause) {
        super(message, cause);
    }
}
