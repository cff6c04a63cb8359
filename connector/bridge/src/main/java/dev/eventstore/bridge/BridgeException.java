package dev.eventstore.bridge;

import dev.eventstore.EventStoreException;

/** The bridge cannot carry on; the message says what happened and what to do, in one line. */
public class BridgeException extends EventStoreException {

    public BridgeException(String message) {
        super(message);
    }

    public BridgeException(String message, Throwable cause) {
        super(message, cause);
    }
}
