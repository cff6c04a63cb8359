package dev.eventstore.schema;

import dev.eventstore.EventStoreException;

/** The schema cannot be migrated, validated, reset or dropped; the message says why in one line. */
public class SchemaException extends EventStoreException {

    public SchemaException(String message) {
        super(message);
    }

    public SchemaException(String message, Throwable cause) {
        super(message, cause);
    }
}
