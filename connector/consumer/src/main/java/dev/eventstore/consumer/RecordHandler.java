package dev.eventstore.consumer;

import static dev.eventstore.consumer.RecordPositions.checkpoint;
import static dev.eventstore.consumer.RecordPositions.describe;
import static dev.eventstore.consumer.RecordPositions.oneLine;
import static dev.eventstore.consumer.RecordPositions.position;

import dev.eventstore.consumer.CheckpointingSubscriberConfig.ErrorsPolicy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the subscriber does with one record: reads it into an event, applies it exactly once with
 * retries and exponential backoff, and when it cannot, follows {@code errors.policy}: stops the
 * subscriber ({@code fail}) or parks the record on the dead-letter topic ({@code dead-letter}). A
 * malformed record is not retried; a failure of PostgreSQL itself is never parked. Used on the
 * subscriber's thread only; the counts may be read from any thread.
 */
final class RecordHandler {

    private static final Logger log = LoggerFactory.getLogger(RecordHandler.class);

    private final CheckpointingSubscriberConfig config;
    private final EventRecordDeserializer deserializer;
    private final ExactlyOnceApplier applier;
    private final DeadLetterParking deadLetters;
    private final Consumer<ConsumedEvent> afterCommit;
    private final CountDownLatch stopRequested;
    private final String subscriptionId;
    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();

    RecordHandler(CheckpointingSubscriberConfig config, EventRecordDeserializer deserializer, ExactlyOnceApplier applier,
                  DeadLetterParking deadLetters, Consumer<ConsumedEvent> afterCommit, CountDownLatch stopRequested) {
        this.config = config;
        this.deserializer = deserializer;
        this.applier = applier;
        this.deadLetters = deadLetters;
        this.afterCommit = afterCommit;
        this.stopRequested = stopRequested;
        this.subscriptionId = config.subscriptionId();
    }

    /** Events handed to the handler and committed. */
    long processed() {
        return processed.get();
    }

    /** Events skipped because the group's recorded position in their stream was already at or past them. */
    long duplicates() {
        return duplicates.get();
    }

    /** Handles one record; {@code false} if the subscriber is stopping and the record was not dealt with. */
    boolean handle(ConsumerRecord<String, byte[]> record) {
        ConsumedEvent event;
        try {
            event = deserializer.deserialize(record.topic(), record.headers(), record.value())
                    .withPosition(record.topic(), record.partition(), record.offset());
        } catch (MalformedEventRecordException e) {
            String where = position(record);
            if (config.errorsPolicy() == ErrorsPolicy.DEAD_LETTER) {
                deadLetters.park(record, DeadLetterHeaders.REASON_MALFORMED_RECORD, e.problem().code(), e.detail(), 0);
                return true;
            }
            throw new SubscriberException("Subscriber " + subscriptionId + " cannot read the record at " + where + ": "
                    + e.detail() + " (errors.policy=fail; with dead-letter it would be parked)", e);
        }
        if (log.isTraceEnabled()) {
            log.trace("Subscriber {} handling {} data {} metadata {}", subscriptionId, event, event.data(), event.metadata());
        }
        String checkpoint = checkpoint(record);
        int attempts = config.retryAttempts();
        ExactlyOnceApplier.Failure last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                if (applier.apply(event, checkpoint)) {
                    processed.incrementAndGet();
                    notifyAfterCommit(event);
                } else {
                    duplicates.incrementAndGet();
                    log.debug("Subscriber {} skipped {}: its stream's recorded position is at or past it", subscriptionId, event);
                }
                return true;
            } catch (ExactlyOnceApplier.Failure f) {
                last = f;
            }
            if (attempt < attempts) {
                long wait = config.backoffMs(attempt);
                log.warn("Subscriber {}: {} failed on {} (attempt {} of {}): {}; retrying in {} ms", subscriptionId,
                        last.infrastructure ? "PostgreSQL" : "the handler", describe(event), attempt, attempts,
                        oneLine(last.getCause()), wait);
                if (awaitStop(wait)) {
                    log.info("Subscriber {} stopping: retries of {} abandoned; it is handled again at the next start",
                            subscriptionId, describe(event));
                    return false;
                }
            }
        }
        Throwable cause = last.getCause();
        if (!last.infrastructure && config.errorsPolicy() == ErrorsPolicy.DEAD_LETTER) {
            deadLetters.park(record, DeadLetterHeaders.REASON_HANDLER_FAILED, cause.getClass().getName(), oneLine(cause),
                    attempts);
            deadLetters.recordParkedPosition(event, checkpoint);
            return true;
        }
        throw new SubscriberException("Subscriber " + subscriptionId + ": " + (last.infrastructure ? "PostgreSQL" : "the handler")
                + " failed " + attempts + (attempts == 1 ? " time" : " times") + " on event " + describe(event) + ": "
                + oneLine(cause), cause);
    }

    private void notifyAfterCommit(ConsumedEvent event) {
        if (afterCommit != null) {
            try {
                afterCommit.accept(event);
            } catch (RuntimeException e) {
                log.warn("Subscriber {}: the after-commit callback failed on {}: {}", subscriptionId, describe(event), oneLine(e));
            }
        }
    }

    /** Waits {@code millis} unless the subscriber is asked to stop; {@code true} if it is. */
    private boolean awaitStop(long millis) {
        try {
            return stopRequested.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }
}
