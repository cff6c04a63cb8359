package dev.eventstore.consumer;

/**
 * Headers a {@link CheckpointingSubscriber} adds to a record it parks on its dead-letter topic
 * ({@code errors.policy=dead-letter}). The parked record keeps the original key, value, timestamp
 * and headers (so it is still an event record, and can be replayed once the cause is fixed); these
 * say why and where it came from. Every value is a UTF-8 string. A record parked again after a crash
 * (before its position was recorded) is a duplicate recognisable by the original topic, partition
 * and offset.
 */
public final class DeadLetterHeaders {

    /** {@value #REASON_HANDLER_FAILED} or {@value #REASON_MALFORMED_RECORD}. */
    public static final String REASON = "eventstore.dlt.reason";
    public static final String REASON_HANDLER_FAILED = "handler-failed";
    public static final String REASON_MALFORMED_RECORD = "malformed-record";
    /** The malformed record's problem code (see {@link MalformedEventRecordException.Problem#code()}), or the exception class. */
    public static final String ERROR_CLASS = "eventstore.dlt.error.class";
    /** One line: what went wrong (never the record's contents, unless the handler's own message holds them). */
    public static final String ERROR_MESSAGE = "eventstore.dlt.error.message";
    /** The subscription (consumer group) that parked it. */
    public static final String SUBSCRIPTION = "eventstore.dlt.subscription";
    public static final String ORIGINAL_TOPIC = "eventstore.dlt.original.topic";
    public static final String ORIGINAL_PARTITION = "eventstore.dlt.original.partition";
    public static final String ORIGINAL_OFFSET = "eventstore.dlt.original.offset";
    /** How many times the handler was tried (0 for a malformed record). */
    public static final String ATTEMPTS = "eventstore.dlt.attempts";
    /** When it was parked, RFC 3339 UTC. */
    public static final String PARKED_AT = "eventstore.dlt.parked.at";

    private DeadLetterHeaders() {
    }
}
