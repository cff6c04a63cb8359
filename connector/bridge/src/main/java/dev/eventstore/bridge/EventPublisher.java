package dev.eventstore.bridge;

import dev.eventstore.connect.EventRecordHeaders;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
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
 * marked processed only after Kafka has acknowledged its record ({@code acks=all}, idempotent
 * producer), so the offsets Debezium saves never run ahead of Kafka: at least once.
 *
 * <p>The records of a batch are sent in WAL commit order without waiting between them; the
 * idempotent producer keeps that order within each partition, and so within each stream.
 */
final class EventPublisher implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    static final String HEADER_ERROR_REASON = "eventstore_error_reason";
    static final String HEADER_ERROR_TOPIC = "eventstore_error_topic";
    /** On a dead-letter record too large to carry its value: the value's size in bytes, left out. */
    static final String HEADER_VALUE_DROPPED = "eventstore_error_value_dropped_bytes";

    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);

    private final EventRecordEncoder encoder;
    private final Producer<byte[], byte[]> producer;
    private final TopicManager topics;
    private final BridgeMetrics metrics;
    private final String deadLetterTopic;

    /** A change record of this batch and, if it became an event record, its send. */
    private record Sent(RecordChangeEvent<SourceRecord> change, ProducerRecord<byte[], byte[]> record,
                        Future<RecordMetadata> ack, long commitMicros) {
    }

    EventPublisher(EventRecordEncoder encoder, Producer<byte[], byte[]> producer,
                   TopicManager topics, BridgeMetrics metrics, String deadLetterTopic) {
        this.encoder = encoder;
        this.producer = producer;
        this.topics = topics;
        this.metrics = metrics;
        this.deadLetterTopic = deadLetterTopic;
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> changes,
                            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<Sent> batch = new ArrayList<>(changes.size());
        for (RecordChangeEvent<SourceRecord> change : changes) {
            SourceRecord raw = change.record();
            ProducerRecord<byte[], byte[]> record = encoder.encode(raw);
            if (record == null) {
                // Not an event: a dropped update/delete/tombstone, or a heartbeat.
                batch.add(new Sent(change, null, null, 0));
                continue;
            }
            topics.ensureExists(record.topic());
            batch.add(new Sent(change, record, producer.send(record), commitMicros(raw)));
        }
        for (Sent sent : batch) {
            if (sent.ack() != null) {
                awaitAck(sent);
            }
            committer.markProcessed(sent.change());
        }
        committer.markBatchFinished();
    }

    private void awaitAck(Sent sent) throws InterruptedException {
        try {
            RecordMetadata metadata = sent.ack().get();
            metrics.published(sent.record(), metadata, sent.commitMicros());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            metrics.failed();
            String event = describe(sent.record());
            if (deadLetterTopic != null && cause instanceof org.apache.kafka.common.errors.ApiException
                    && !(cause instanceof org.apache.kafka.common.errors.RetriableException)) {
                deadLetter(sent.record(), cause, event);
                return;
            }
            String advice = cause instanceof RecordTooLargeException
                    ? "; raise the topic's max.message.bytes and the bridge's producer.max.request.size,"
                            + " or set errors.policy=dead-letter"
                    : "";
            throw new BridgeException("Kafka refused " + event + ": " + cause.getMessage() + advice, cause);
        }
    }

    private void deadLetter(ProducerRecord<byte[], byte[]> record, Throwable cause, String event)
            throws InterruptedException {
        topics.ensureExists(deadLetterTopic);
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(HEADER_ERROR_REASON, (cause.getClass().getSimpleName() + ": " + cause.getMessage()).getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_ERROR_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
        ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>(deadLetterTopic, null, record.timestamp(),
                record.key(), record.value(), headers);
        try {
            try {
                producer.send(dead).get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RecordTooLargeException)) {
                    throw e;
                }
                // Too large for the dead-letter topic as well (or for the producer's max.request.size,
                // which no topic can take): park the record without its value. PostgreSQL keeps the
                // event; its ids in the headers say which one to republish once the limits allow.
                RecordHeaders withoutValue = new RecordHeaders(headers.toArray()); // the sent ones are read-only
                withoutValue.add(HEADER_VALUE_DROPPED, Integer.toString(record.value() == null ? 0 : record.value().length)
                        .getBytes(StandardCharsets.UTF_8));
                producer.send(new ProducerRecord<>(deadLetterTopic, null, record.timestamp(), record.key(), null,
                        withoutValue)).get();
            }
            metrics.deadLettered();
            log.warn("Kafka refused {} ({}); sent it to dead-letter topic {}", event, cause.getMessage(), deadLetterTopic);
        } catch (ExecutionException e) {
            throw new BridgeException("Kafka refused " + event + " (" + cause.getMessage()
                    + ") and its dead-letter record too: " + e.getCause().getMessage(), e.getCause());
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
