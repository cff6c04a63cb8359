package dev.eventstore.bridge;

import dev.eventstore.connect.EventRecordHeaders;
import dev.eventstore.connect.EventRecordTransform;
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
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;
import org.apache.kafka.connect.storage.StringConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives Debezium's batches of change records, maps each through {@link EventRecordTransform}
 * (the same class a Kafka Connect deployment runs) and publishes the event records. A change is
 * marked processed only after Kafka has acknowledged its record ({@code acks=all}, idempotent
 * producer), so the offsets Debezium saves never run ahead of Kafka: at least once.
 *
 * <p>The records of a batch are sent in WAL commit order without waiting between them; the
 * idempotent producer keeps that order within each partition, and so within each stream.
 * Keys, values and headers are serialised with Kafka Connect's own String and header converters,
 * so the bytes equal those a Connect worker writes for the same change.
 */
final class EventPublisher implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    static final String HEADER_ERROR_REASON = "eventstore_error_reason";
    static final String HEADER_ERROR_TOPIC = "eventstore_error_topic";

    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);

    private final EventRecordTransform<SourceRecord> transform;
    private final Producer<byte[], byte[]> producer;
    private final TopicManager topics;
    private final BridgeMetrics metrics;
    private final String deadLetterTopic;
    private final StringConverter stringConverter = new StringConverter();
    private final SimpleHeaderConverter headerConverter = new SimpleHeaderConverter();

    /** A change record of this batch and, if it became an event record, its send. */
    private record Sent(RecordChangeEvent<SourceRecord> change, ProducerRecord<byte[], byte[]> record,
                        Future<RecordMetadata> ack, long commitMicros) {
    }

    EventPublisher(EventRecordTransform<SourceRecord> transform, Producer<byte[], byte[]> producer,
                   TopicManager topics, BridgeMetrics metrics, String deadLetterTopic) {
        this.transform = transform;
        this.producer = producer;
        this.topics = topics;
        this.metrics = metrics;
        this.deadLetterTopic = deadLetterTopic;
        stringConverter.configure(java.util.Map.of("converter.encoding", "UTF-8"), false);
        headerConverter.configure(java.util.Map.of());
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> changes,
                            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<Sent> batch = new ArrayList<>(changes.size());
        for (RecordChangeEvent<SourceRecord> change : changes) {
            SourceRecord raw = change.record();
            SourceRecord event = transform.apply(raw);
            // null: an update, delete or tombstone the transform dropped (and logged).
            // The same instance: not an events row (heartbeat table, Debezium heartbeat topic).
            if (event == null || event == raw) {
                batch.add(new Sent(change, null, null, 0));
                continue;
            }
            topics.ensureExists(event.topic());
            ProducerRecord<byte[], byte[]> record = toProducerRecord(event);
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
            producer.send(dead).get();
            metrics.deadLettered();
            log.warn("Kafka refused {} ({}); sent it to dead-letter topic {}", event, cause.getMessage(), deadLetterTopic);
        } catch (ExecutionException e) {
            throw new BridgeException("Kafka refused " + event + " (" + cause.getMessage()
                    + ") and its dead-letter record too: " + e.getCause().getMessage(), e.getCause());
        }
    }

    ProducerRecord<byte[], byte[]> toProducerRecord(SourceRecord event) {
        String topic = event.topic();
        RecordHeaders headers = new RecordHeaders();
        for (Header header : event.headers()) {
            headers.add(header.key(), headerConverter.fromConnectHeader(topic, header.key(), header.schema(), header.value()));
        }
        byte[] key = stringConverter.fromConnectData(topic, event.keySchema(), event.key());
        byte[] value = stringConverter.fromConnectData(topic, event.valueSchema(), event.value());
        return new ProducerRecord<>(topic, null, event.timestamp(), key, value, headers);
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
