package dev.eventstore.bench;

import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.SchemaName;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;
import org.apache.kafka.connect.storage.StringConverter;
import org.postgresql.Driver;

/**
 * The peer of the pipeline workloads: Debezium's own outbox {@code EventRouter} transform on the
 * same {@code events} table, in the same embedded engine with the bridge's capture settings
 * (pgoutput, the store's publication, 10 ms poll, the same batch and queue sizes) and a producer
 * with the bridge's settings ({@code acks=all}, idempotent, {@code linger.ms=0}), publishing each
 * batch and waiting for its acknowledgements as the bridge does. Only the mapping differs: the
 * router takes {@code event_id} as the record's {@code id} header, {@code stream_id} as its key
 * and {@code data} as its value, and routes every event to one topic. Offsets stay in memory; the
 * slot exists for one measurement.
 */
final class OutboxRouterBridge implements AutoCloseable {

    static final String ID_HEADER = "id";

    private final Publisher publisher;
    private final BenchEngine engine;

    private OutboxRouterBridge(ConnectionSettings db, SchemaName schema, String slot, String topic,
                               Producer<byte[], byte[]> producer, boolean dropSlotOnStop) {
        publisher = new Publisher(producer);
        engine = new BenchEngine("Debezium with the outbox EventRouter", settings(db, schema, slot, topic, dropSlotOnStop),
                publisher);
    }

    /**
     * @param dropSlotOnStop drop the slot when stopped (a latency measurement); keep it for a
     *     backlog to build up in it (a drain: the caller drops it). Offsets stay in memory, so a
     *     restart streams from the slot's confirmed position.
     */
    static OutboxRouterBridge start(ConnectionSettings db, SchemaName schema, String slot, String topic,
                                    Producer<byte[], byte[]> producer, boolean dropSlotOnStop) {
        return new OutboxRouterBridge(db, schema, slot, topic, producer, dropSlotOnStop);
    }

    CompletableFuture<Void> ready() {
        return engine.ready();
    }

    /** Records acknowledged by Kafka so far. */
    long published() {
        return publisher.acknowledged.get();
    }

    /** Whether the engine stopped with a failure. */
    boolean failed() {
        return engine.failed();
    }

    static Properties settings(ConnectionSettings db, SchemaName schema, String slot, String topic, boolean dropSlotOnStop) {
        Properties url = Driver.parseURL(db.url(), null);
        Properties p = new Properties();
        p.setProperty("name", "bench-outbox-router");
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        p.setProperty("offset.flush.interval.ms", "1000");
        p.setProperty("database.hostname", url.getProperty("PGHOST").split(",")[0]);
        p.setProperty("database.port", url.getProperty("PGPORT").split(",")[0]);
        p.setProperty("database.dbname", url.getProperty("PGDBNAME"));
        if (db.user() != null) {
            p.setProperty("database.user", db.user());
        }
        if (db.password() != null) {
            p.setProperty("database.password", db.password());
        }
        for (String tls : new String[] {"sslmode", "sslrootcert", "sslcert", "sslkey"}) {
            if (url.getProperty(tls) != null) {
                p.setProperty("database." + tls, url.getProperty(tls));
            }
        }
        p.setProperty("topic.prefix", "bench-outbox");
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", slot);
        p.setProperty("slot.drop.on.stop", Boolean.toString(dropSlotOnStop));
        p.setProperty("publication.name", schema.value() + "_events");
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("table.include.list", schema.value() + "\\.events");
        p.setProperty("snapshot.mode", "no_data");
        p.setProperty("tombstones.on.delete", "false");
        // The bridge's capture settings, so that the mapping is the only difference.
        p.setProperty("poll.interval.ms", "10");
        p.setProperty("max.batch.size", "2048");
        p.setProperty("max.queue.size", "8192");
        p.setProperty("statistics.metrics.enabled", "false");
        p.setProperty("transforms", "outbox");
        p.setProperty("transforms.outbox.type", "io.debezium.transforms.outbox.EventRouter");
        p.setProperty("transforms.outbox.table.field.event.id", "event_id");
        p.setProperty("transforms.outbox.table.field.event.key", "stream_id");
        p.setProperty("transforms.outbox.table.field.event.payload", "data");
        p.setProperty("transforms.outbox.route.by.field", "event_type");
        p.setProperty("transforms.outbox.route.topic.replacement", topic);
        return p;
    }

    @Override
    public void close() {
        engine.close();
    }

    /** Sends each batch, waits for every acknowledgement, then marks the batch processed: at least once, as the bridge. */
    private static final class Publisher implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

        private final Producer<byte[], byte[]> producer;
        private final StringConverter strings = new StringConverter();
        private final SimpleHeaderConverter headers = new SimpleHeaderConverter();
        private final java.util.concurrent.atomic.AtomicLong acknowledged = new java.util.concurrent.atomic.AtomicLong();

        Publisher(Producer<byte[], byte[]> producer) {
            this.producer = producer;
            strings.configure(Map.of("converter.encoding", "UTF-8"), false);
            headers.configure(Map.of());
        }

        @Override
        public void handleBatch(List<RecordChangeEvent<SourceRecord>> changes,
                                DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
                throws InterruptedException {
            List<Future<RecordMetadata>> acks = new ArrayList<>(changes.size());
            for (RecordChangeEvent<SourceRecord> change : changes) {
                SourceRecord record = change.record();
                if (record == null || record.value() == null) {
                    acks.add(null);
                    continue;
                }
                String topic = record.topic();
                RecordHeaders kafkaHeaders = new RecordHeaders();
                for (Header header : record.headers()) {
                    kafkaHeaders.add(header.key(), headers.fromConnectHeader(topic, header.key(), header.schema(), header.value()));
                }
                byte[] key = strings.fromConnectData(topic, record.keySchema(), record.key());
                byte[] value = strings.fromConnectData(topic, record.valueSchema(), record.value());
                acks.add(producer.send(new ProducerRecord<>(topic, null, record.timestamp(), key, value, kafkaHeaders)));
            }
            for (int i = 0; i < changes.size(); i++) {
                Future<RecordMetadata> ack = acks.get(i);
                if (ack != null) {
                    try {
                        ack.get();
                        acknowledged.incrementAndGet();
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("Kafka refused an outbox record: " + e.getCause().getMessage(), e.getCause());
                    }
                }
                committer.markProcessed(changes.get(i));
            }
            committer.markBatchFinished();
        }
    }
}
