package dev.eventstore.consumer;

/**
 * Why a {@link CheckpointingSubscriber} stopped: a handler that kept failing on an event, a
 * malformed record (with {@code errors.policy=fail}), PostgreSQL or Kafka failing. One line naming
 * the event (stream, version, id, type) or the record (topic, partition, offset) and the cause,
 * never the event's contents.
 */
public class SubscriberException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SubscriberException(String message, Throwable cause) {
        super(message, cause);
    }
}
