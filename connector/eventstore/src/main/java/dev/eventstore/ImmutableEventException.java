package dev.eventstore;

/**
 * An UPDATE, DELETE or TRUNCATE of events was refused by the table's trigger: events are
 * immutable outside the gated maintenance path ({@code SET LOCAL eventstore.maintenance = 'on'}).
 */
public class ImmutableEventException extends EventStoreException {

    public ImmutableEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
