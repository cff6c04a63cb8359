package dev.eventstore.admin;

import dev.eventstore.RecordedEvent;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.BridgeException;
import dev.eventstore.bridge.BridgeLock;
import dev.eventstore.bridge.EventRecordEncoder;
import dev.eventstore.bridge.KafkaClients;
import dev.eventstore.bridge.TopicManager;
import dev.eventstore.jdbc.PostgresErrors;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;

/**
 * Publishes stored events from PostgreSQL into Kafka again, for recovery after Kafka lost data or
 * a slot was lost: records identical to the bridge's (same encoder: key, value, headers,
 * {@code ce_id}, timestamp), each stream in order (one producer, idempotent, records sent in
 * stream order go to one partition). Consumers recognise events they already have by
 * {@code ce_id} or (stream, version).
 */
public final class Republisher {

    private final DataSource dataSource;
    private final BridgeConfig config;

    public Republisher(BridgeConfig config) {
        this.config = config;
        this.dataSource = config.connection().dataSource();
    }

    /** What a republish did. */
    public record Report(long events, long elapsedMillis) {
        public double eventsPerSecond() {
            return elapsedMillis == 0 ? events : events * 1000.0 / elapsedMillis;
        }
    }

    public Report republish(EventSelection selection, ProgressListener progress) throws InterruptedException {
        long started = System.nanoTime();
        EventRecordEncoder encoder = new EventRecordEncoder(config);
        AtomicLong acknowledged = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        // Bulk work: larger batches than the bridge's latency-tuned defaults.
        Map<String, Object> bulk = Map.of(ProducerConfig.LINGER_MS_CONFIG, 10, ProducerConfig.BATCH_SIZE_CONFIG, 262_144,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        long sent;
        try (Admin admin = KafkaClients.admin(config, config.name() + "-republish-admin");
             KafkaProducer<byte[], byte[]> producer = KafkaClients.eventProducer(config, config.name() + "-republish", bulk)) {
            TopicManager topics = TopicManager.of(config, admin, producer);
            StoredEvents stored = new StoredEvents(dataSource, config.schema());
            try {
                long total = stored.count(selection);
                progress.progress(0, total);
                ProgressListener withTotal = (done, unknown) -> progress.progress(done, total);
                sent = stored.forEach(selection, event -> send(event, encoder, topics, producer, acknowledged, failure, withTotal));
            } catch (SQLException e) {
                throw new BridgeException("cannot read events: " + PostgresErrors.describe(e), e);
            } catch (InterruptedRuntime e) {
                throw e.cause;
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new BridgeException("republish failed: Kafka refused a record: " + failure.get().getMessage(), failure.get());
        }
        progress.progress(acknowledged.get(), sent);
        return new Report(sent, (System.nanoTime() - started) / 1_000_000);
    }

    /** What a restore did: the events republished and the new topic's id. */
    public record Restore(String topic, long events, String topicId, long elapsedMillis) {
    }

    /**
     * Restores a lost event topic: refuses while a bridge runs (it would publish into the new topic
     * before older events) and holds the store's bridge lock until done; creates the topic, which must not exist, with the
     * bridge's settings; republishes every stored event that maps to it, each stream in version
     * order (events are read in id order, one idempotent producer); and only then records the new
     * topic id, so that a bridge started before the restore finished refuses the topic again.
     */
    public Restore restoreTopic(String topic, ProgressListener progress) throws InterruptedException {
        long started = System.nanoTime();
        if (!topic.startsWith(config.topicPrefix() + ".") && !"single".equalsIgnoreCase(config.getString("topic.mode"))) {
            throw new BridgeException("Kafka topic " + topic + " is not an event topic of this bridge (topic.prefix "
                    + config.topicPrefix() + ")");
        }
        if (topic.equals(config.deadLetterTopic())) {
            throw new BridgeException("Kafka topic " + topic + " is the dead-letter topic: its records are not stored in"
                    + " PostgreSQL, so it cannot be restored from there");
        }
        // The store's bridge lock, held to the end: no bridge publishes into the new topic before
        // its older events, and none starts while the restore runs.
        try (BridgeLock lock = acquireBridgeLock(topic)) {
            return restore(topic, progress, started);
        }
    }

    private BridgeLock acquireBridgeLock(String topic) {
        try {
            return BridgeLock.acquire(config.connection(), config.schema(), "eventstore republish --restore-topic " + topic);
        } catch (BridgeException e) {
            throw new BridgeException("cannot restore " + topic + " while a bridge runs: " + e.getMessage(), e);
        }
    }

    private Restore restore(String topic, ProgressListener progress, long started) throws InterruptedException {
        EventRecordEncoder encoder = new EventRecordEncoder(config);
        AtomicLong acknowledged = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Map<String, Object> bulk = Map.of(ProducerConfig.LINGER_MS_CONFIG, 10, ProducerConfig.BATCH_SIZE_CONFIG, 262_144,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        long[] sent = new long[1];
        Uuid id;
        try (Admin admin = KafkaClients.admin(config, config.name() + "-republish-admin");
             KafkaProducer<byte[], byte[]> producer = KafkaClients.eventProducer(config, config.name() + "-republish", bulk)) {
            TopicManager topics = TopicManager.of(config, admin, producer);
            id = topics.createForRestore(topic);
            StoredEvents stored = new StoredEvents(dataSource, config.schema());
            try {
                progress.progress(0, -1);
                stored.forEach(EventSelection.all(), event -> {
                    ProducerRecord<byte[], byte[]> record = encoder.encode(event);
                    if (record.topic().equals(topic)) {
                        sent[0]++;
                        send(record, event, producer, acknowledged, failure, progress);
                    }
                });
            } catch (SQLException e) {
                throw new BridgeException("cannot read events: " + PostgresErrors.describe(e), e);
            }
            producer.flush();
            if (failure.get() != null) {
                throw new BridgeException("restore of " + topic + " failed: Kafka refused a record: "
                        + failure.get().getMessage() + "; delete the topic and run the restore again", failure.get());
            }
            topics.recordRestored(topic, id);
        }
        progress.progress(acknowledged.get(), sent[0]);
        return new Restore(topic, sent[0], id.toString(), (System.nanoTime() - started) / 1_000_000);
    }

    private static void send(ProducerRecord<byte[], byte[]> record, RecordedEvent event, KafkaProducer<byte[], byte[]> producer,
                             AtomicLong acknowledged, AtomicReference<Exception> failure, ProgressListener progress) {
        if (failure.get() != null) {
            throw new BridgeException("restore failed at event " + event.eventId() + ": Kafka refused an earlier record: "
                    + failure.get().getMessage() + "; delete the topic and run the restore again", failure.get());
        }
        producer.send(record, (metadata, error) -> {
            if (error != null) {
                failure.compareAndSet(null, error);
            } else {
                long done = acknowledged.incrementAndGet();
                if (done % 10_000 == 0) {
                    progress.progress(done, -1);
                }
            }
        });
    }

    private static void send(RecordedEvent event, EventRecordEncoder encoder, TopicManager topics,
                             KafkaProducer<byte[], byte[]> producer, AtomicLong acknowledged,
                             AtomicReference<Exception> failure, ProgressListener progress) {
        if (failure.get() != null) {
            throw new BridgeException("republish failed at event " + event.eventId() + ": Kafka refused an earlier record: "
                    + failure.get().getMessage(), failure.get());
        }
        ProducerRecord<byte[], byte[]> record = encoder.encode(event);
        try {
            topics.ensureExists(record.topic());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedRuntime(e);
        }
        producer.send(record, (metadata, error) -> {
            if (error != null) {
                failure.compareAndSet(null, error);
            } else {
                long done = acknowledged.incrementAndGet();
                if (done % 10_000 == 0) {
                    progress.progress(done, -1);
                }
            }
        });
    }

    /** Carries an interruption out of the row callback. */
    private static final class InterruptedRuntime extends RuntimeException {
        private final InterruptedException cause;

        InterruptedRuntime(InterruptedException cause) {
            super(cause);
            this.cause = cause;
        }
    }
}
