package dev.eventstore.bridge;

import dev.eventstore.connect.EventRecordHeaders;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives Debezium's batches of change records, encodes each with {@link EventRecordEncoder}
 * (the transform a Kafka Connect deployment runs) and publishes the event records. A change is
 * marked processed only after Kafka has acknowledged its record and every record before it
 * ({@code acks=all}, idempotent producer), so the offsets Debezium saves never run ahead of
 * Kafka: at least once.
 *
 * <p>Per-stream order holds whatever Kafka refuses. The records of a batch are sent in WAL commit
 * order without waiting between them, and the idempotent producer keeps that order within each
 * partition, and so within each stream, as long as nothing is refused. So nothing is sent that
 * Kafka would refuse for its size or time: each record is checked first against its topic's
 * limits ({@link TopicLimits}), given a timestamp the topic accepts, and a record too large is
 * either parked in the dead-letter topic before the next record is sent, or stops the bridge
 * before it. A refusal the checks could not foresee (a limit lowered while the bridge runs, an
 * authorization change, a delivery timeout) closes the producer at once from the failed send's
 * callback, which aborts every record not yet acknowledged: none of them reaches Kafka after the
 * refused one, and the bridge stops naming it; on restart the same records are sent again in
 * order.
 */
final class EventPublisher implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    static final String HEADER_ERROR_REASON = "eventstore_error_reason";
    static final String HEADER_ERROR_TOPIC = "eventstore_error_topic";
    /** On a dead-letter record too large to carry its value: the value's size in bytes, left out. */
    static final String HEADER_VALUE_DROPPED = "eventstore_error_value_dropped_bytes";
    /** The reason header is cut to this many characters: a dead-letter record must stay small. */
    private static final int MAX_REASON_CHARS = 1_000;

    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);

    private final EventRecordEncoder encoder;
    private final Producer<byte[], byte[]> producer;
    private final TopicManager topics;
    private final TopicLimits limits;
    private final BridgeMetrics metrics;
    private final String deadLetterTopic;
    private final long deliveryTimeoutMs;
    /** The first send Kafka failed; once set, the producer is closed and nothing more is sent. */
    private final AtomicReference<Failure> failure = new AtomicReference<>();
    /** Set by another thread (a lost topic): the next batch stops the bridge with it. */
    private volatile BridgeException stopRequest;

    /** A change record of this batch and, if it became an event record, its send. */
    private record Sent(RecordChangeEvent<SourceRecord> change, ProducerRecord<byte[], byte[]> record,
                        Future<RecordMetadata> ack, long commitMicros) {
    }

    /** A failed send: the record and Kafka's reason. */
    private record Failure(ProducerRecord<byte[], byte[]> record, Exception cause) {
    }

    EventPublisher(EventRecordEncoder encoder, Producer<byte[], byte[]> producer, TopicManager topics,
                   TopicLimits limits, BridgeMetrics metrics, String deadLetterTopic, long deliveryTimeoutMs) {
        this.encoder = encoder;
        this.producer = producer;
        this.topics = topics;
        this.limits = limits;
        this.metrics = metrics;
        this.deadLetterTopic = deadLetterTopic;
        this.deliveryTimeoutMs = deliveryTimeoutMs;
    }

    /**
     * Stops the bridge with {@code reason} (called from the monitor loop): the producer is closed
     * at once, so that a batch waiting for a lost topic fails now rather than after
     * delivery.timeout.ms, and that batch or the next one ends the bridge with this reason.
     */
    void stop(BridgeException reason) {
        stopRequest = reason;
        producer.close(Duration.ZERO);
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> changes,
                            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        if (stopRequest != null) {
            throw stopRequest;
        }
        List<Sent> pending = new ArrayList<>(changes.size());
        try {
            for (RecordChangeEvent<SourceRecord> change : changes) {
                if (failure.get() != null) {
                    break; // the producer is closed: a record sent earlier was refused
                }
                SourceRecord raw = change.record();
                ProducerRecord<byte[], byte[]> record = encoder.encode(raw);
                if (record == null) {
                    // Not an event: a dropped update/delete/tombstone, or a heartbeat.
                    pending.add(new Sent(change, null, null, 0));
                    continue;
                }
                topics.ensureExists(record.topic());
                TopicLimits.Limit limit = limits.of(record.topic());
                record = limit.withAcceptedTimestamp(record, System.currentTimeMillis());
                int size = TopicLimits.sizeUpperBound(record);
                if (size > limit.maxRecordBytes()) {
                    // Kafka would refuse it: settle what went before, then park it or stop, before
                    // any later record (of its partition or any other) is sent.
                    settle(pending, committer);
                    pending.clear();
                    String tooLarge = "the record is up to " + size + " bytes, " + tooLargeFor(limit);
                    metrics.failed();
                    if (deadLetterTopic == null) {
                        throw new BridgeException(describe(record) + " is too large for Kafka: " + tooLarge
                                + "; raise the topic's max.message.bytes and the bridge's producer.max.request.size, or set"
                                + " errors.policy=dead-letter; the bridge resumes from this event");
                    }
                    String reason = RecordTooLargeException.class.getSimpleName() + ": " + tooLarge;
                    deadLetter(record, reason, describe(record));
                    committer.markProcessed(change);
                    continue;
                }
                pending.add(new Sent(change, record, send(record), commitMicros(raw)));
                if (failure.get() != null) {
                    break; // refused at once (by the producer): nothing after it is sent
                }
            }
        } catch (IllegalStateException closed) {
            // The fence closed the producer while this batch was still being sent: the refusal it
            // recorded is what happened. Nothing after the refused record is marked processed.
            if (failure.get() == null) {
                throw stopRequest != null ? stopRequest : closed;
            }
            settle(pending, committer); // marks what Kafka acknowledged before it, then throws the refusal
        }
        settle(pending, committer);
        committer.markBatchFinished();
    }

    private Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        return producer.send(record, (metadata, exception) -> {
            if (exception != null && failure.compareAndSet(null, new Failure(record, exception))) {
                // Abort every record not yet acknowledged: none may land after this one. Called on
                // the producer's I/O thread (or the caller's, for a refusal at send), where only a
                // zero timeout is allowed.
                producer.close(Duration.ZERO);
            }
        });
    }

    /** Awaits the sends in order and marks each change processed once it and all before it are in Kafka. */
    private void settle(List<Sent> pending, DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        for (Sent sent : pending) {
            if (sent.ack() != null) {
                try {
                    metrics.published(sent.record(), sent.ack().get(), sent.commitMicros());
                } catch (ExecutionException e) {
                    metrics.failed();
                    Failure first = failure.get();
                    throw refused(first != null ? first : new Failure(sent.record(), (Exception) e.getCause()));
                }
            }
            committer.markProcessed(sent.change());
        }
        Failure first = failure.get();
        if (first != null) {
            throw refused(first); // every record sent was acknowledged, but not the one that failed
        }
    }

    /** The bridge's exit message for a failed send: what really happened, and what to do. */
    private BridgeException refused(Failure failed) {
        if (stopRequest != null) {
            return stopRequest; // the producer was closed to stop the bridge: that is what happened
        }
        Throwable cause = failed.cause();
        String event = describe(failed.record());
        if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            return new BridgeException("Kafka did not acknowledge " + event + " within delivery.timeout.ms ("
                    + deliveryTimeoutMs + " ms): the brokers were unreachable or this process was paused; Kafka"
                    + " refused nothing. Restart the bridge: it resumes from the last acknowledged event", cause);
        }
        if (cause instanceof RecordTooLargeException) {
            return new BridgeException("Kafka refused " + event + ": " + cause.getMessage()
                    + " (the topic's max.message.bytes is lower than when the bridge read it); restart the bridge"
                    + " to read the topic's limit again, or raise it; nothing after this event was published", cause);
        }
        if (cause instanceof org.apache.kafka.common.errors.AuthorizationException) {
            return new BridgeException("Kafka refused " + event + ": " + cause.getMessage()
                    + "; grant the bridge's principal WRITE on topic " + failed.record().topic(), cause);
        }
        return new BridgeException("Kafka refused " + event + ": " + cause.getMessage()
                + "; nothing after this event was published", cause);
    }

    private static String tooLargeFor(TopicLimits.Limit limit) {
        int producer = limit.producerMaxRequestSize();
        int topic = limit.topicMaxMessageBytes();
        if (producer < topic) {
            return "more than the bridge's producer.max.request.size (" + producer + ")";
        }
        if (producer == topic) {
            return "more than topic " + limit.topic() + " (max.message.bytes) and the bridge (producer.max.request.size)"
                    + " take (" + producer + ")";
        }
        return "topic " + limit.topic() + " takes at most " + topic + " (max.message.bytes)";
    }

    private void deadLetter(ProducerRecord<byte[], byte[]> record, String reason, String event)
            throws InterruptedException {
        topics.ensureExists(deadLetterTopic);
        TopicLimits.Limit limit = limits.of(deadLetterTopic);
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        String cut = reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason;
        headers.add(HEADER_ERROR_REASON, cut.getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_ERROR_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
        ProducerRecord<byte[], byte[]> dead = limit.withAcceptedTimestamp(new ProducerRecord<>(deadLetterTopic, null,
                record.timestamp(), record.key(), record.value(), headers), System.currentTimeMillis());
        if (TopicLimits.sizeUpperBound(dead) > limit.maxRecordBytes()) {
            // Too large for the dead-letter topic as well: park the record without its value.
            // PostgreSQL keeps the event; its ids in the headers say which one to republish once
            // the limits allow.
            headers.add(HEADER_VALUE_DROPPED, Integer.toString(record.value() == null ? 0 : record.value().length)
                    .getBytes(StandardCharsets.UTF_8));
            dead = new ProducerRecord<>(deadLetterTopic, null, dead.timestamp(), record.key(), null, headers);
        }
        try {
            producer.send(dead).get();
            metrics.deadLettered();
            log.warn("Kafka would refuse {} ({}); sent it to dead-letter topic {}", event, cut, deadLetterTopic);
        } catch (ExecutionException e) {
            throw new BridgeException("Kafka would refuse " + event + " (" + cut + ") and refused its dead-letter record"
                    + " too: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** "event 42 (stream game-7, version 3, topic eventstore.game)": ids only, never contents. */
    static String describe(ProducerRecord<byte[], byte[]> record) {
        return "event " + header(record, EventRecordHeaders.ID)
                + " (stream " + (record.key() == null ? "?" : new String(record.key(), StandardCharsets.UTF_8))
                + ", version " + header(record, EventRecordHeaders.STREAM_VERSION)
                + ", topic " + record.topic() + ")";
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        org.apache.kafka.common.header.Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? "?" : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The commit time of the change's transaction in epoch microseconds, or 0 if unknown. */
    static long commitMicros(SourceRecord raw) {
        if (raw.value() instanceof Struct envelope && envelope.schema().field("source") != null
                && envelope.get("source") instanceof Struct source) {
            if ("r".equals(envelope.schema().field("op") == null ? null : envelope.get("op"))) {
                return 0; // a snapshot read: its time is the snapshot's, not a commit's
            }
            if (source.schema().field("ts_us") != null && source.get("ts_us") instanceof Long micros) {
                return micros;
            }
            if (source.schema().field("ts_ms") != null && source.get("ts_ms") instanceof Long millis) {
                return millis * 1000;
            }
        }
        return 0;
    }
}
