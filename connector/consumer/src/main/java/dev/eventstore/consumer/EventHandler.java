package dev.eventstore.consumer;

import java.sql.Connection;

/**
 * Applies one event, inside the PostgreSQL transaction in which the subscriber also records the
 * group's position in the event's stream: the handler's writes on {@code connection} and the
 * checkpoint commit together, or neither does (exactly-once processing for handlers that write to
 * PostgreSQL). Writes anywhere else (another database, an HTTP call, a Kafka record) happen at
 * least once: make them idempotent, by {@code (streamId, streamVersion)} or {@code eventId}.
 *
 * <p>The handler must not commit, roll back or close {@code connection}, nor change its
 * auto-commit mode: the subscriber does. Throwing rolls the transaction back; the event is retried
 * (see {@link CheckpointingSubscriberConfig.Key#RETRY_ATTEMPTS}). Events of one partition are
 * handed over one at a time, in order, on the subscriber's thread; events already applied (same or
 * lower stream version than the group's recorded position) are never handed over.
 */
@FunctionalInterface
public interface EventHandler {

    /**
     * @param event the event, its data typed, its topic, partition and offset attached
     * @param connection a connection in an open transaction (auto-commit off) on the event store's database
     * @throws Exception to roll back and retry the event
     */
    void handle(ConsumedEvent event, Connection connection) throws Exception;
}
