package dev.eventstore.consumer;

import static dev.eventstore.consumer.RecordPositions.describe;
import static dev.eventstore.consumer.RecordPositions.oneLine;
import static dev.eventstore.consumer.RecordPositions.position;

import dev.eventstore.StreamNotFoundException;
import dev.eventstore.SubscriptionStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parks records on the dead-letter topic ({@code errors.policy=dead-letter}): the record as it
 * came, with its own headers and the {@link DeadLetterHeaders} that say why, sent and acknowledged
 * before the subscriber moves on. Its producer is created at the first record parked. Used on the
 * subscriber's thread only.
 */
final class DeadLetterParking implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterParking.class);

    private final CheckpointingSubscriberConfig config;
    private final SubscriptionStore subscriptions;
    private final String subscriptionId;
    private final AtomicLong parked = new AtomicLong();
    private KafkaProducer<String, byte[]> producer;

    DeadLetterParking(CheckpointingSubscriberConfig config, SubscriptionStore subscriptions) {
        this.config = config;
        this.subscriptions = subscriptions;
        this.subscriptionId = config.subscriptionId();
    }

    /** Records parked so far. */
    long count() {
        return parked.get();
    }

    /**
     * Sends {@code record} to the dead-letter topic and waits for Kafka's acknowledgement.
     *
     * @throws SubscriberException if it cannot be parked (the subscriber then stops)
     */
    void park(ConsumerRecord<String, byte[]> record, String reason, String errorClass, String message, int attempts) {
        String topic = config.deadLetterTopic();
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) {
            if (!header.key().startsWith("eventstore.dlt.")) {
                headers.add(header);
            }
        }
        add(headers, DeadLetterHeaders.REASON, reason);
        add(headers, DeadLetterHeaders.ERROR_CLASS, errorClass);
        add(headers, DeadLetterHeaders.ERROR_MESSAGE, message);
        add(headers, DeadLetterHeaders.SUBSCRIPTION, subscriptionId);
        add(headers, DeadLetterHeaders.ORIGINAL_TOPIC, record.topic());
        add(headers, DeadLetterHeaders.ORIGINAL_PARTITION, Integer.toString(record.partition()));
        add(headers, DeadLetterHeaders.ORIGINAL_OFFSET, Long.toString(record.offset()));
        add(headers, DeadLetterHeaders.ATTEMPTS, Integer.toString(attempts));
        add(headers, DeadLetterHeaders.PARKED_AT, Instant.now().toString());
        Long timestamp = record.timestamp() >= 0 ? record.timestamp() : null;
        ProducerRecord<String, byte[]> parkedRecord = new ProducerRecord<>(topic, null, timestamp, record.key(),
                record.value(), headers);
        try {
            producer().send(parkedRecord).get(config.deadLetterTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SubscriberException("Subscriber " + subscriptionId + " interrupted while parking the record at "
                    + position(record) + " on " + topic, e);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new SubscriberException("Subscriber " + subscriptionId + " cannot park the record at " + position(record)
                    + " on dead-letter topic " + topic + ": " + oneLine(cause), cause);
        }
        parked.incrementAndGet();
        log.warn("Subscriber {} parked the record at {} on {} ({}): {}", subscriptionId, position(record), topic, reason, message);
    }

    /** After parking an event: its position, alone in a transaction, so that it is not handled again. */
    void recordParkedPosition(ConsumedEvent event, String checkpoint) {
        try {
            subscriptions.recordPosition(subscriptionId, event.streamId(), event.eventId(), event.streamVersion(), checkpoint);
        } catch (StreamNotFoundException e) {
            log.warn("Subscriber {}: no position recorded for parked {}: its stream is not in this store", subscriptionId,
                    describe(event));
        } catch (RuntimeException e) {
            throw new SubscriberException("Subscriber " + subscriptionId + " parked " + describe(event)
                    + " but cannot record its position: " + oneLine(e) + "; it is parked again at the next start", e);
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(config.deadLetterProducerProperties(), new StringSerializer(),
                    new ByteArraySerializer());
        }
        return producer;
    }

    /** Closes the producer, if one was created; never throws. */
    @Override
    public void close() {
        if (producer != null) {
            try {
                producer.close(Duration.ofMillis(Math.min(config.closeTimeoutMs(), config.deadLetterTimeoutMs())));
            } catch (RuntimeException e) {
                log.warn("Subscriber {}: closing the dead-letter producer failed: {}", subscriptionId, oneLine(e));
            }
            producer = null;
        }
    }

    private static void add(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
