package dev.eventstore.bench;

import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.SchemaName;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.source.SourceRecord;
import org.postgresql.Driver;

/**
 * The capture side's ceiling in the drain workload: Debezium's embedded engine with the bridge's
 * capture settings (pgoutput, the store's publication, 10 ms poll, the same batch and queue
 * sizes), whose handler counts each change record of an event and discards it. No mapping, no Kafka: what Debezium
 * itself delivers from the slot on this machine, so that a drain figure can be read against what
 * any Debezium-based publisher could reach here.
 */
final class CaptureOnly implements AutoCloseable {

    private final AtomicLong captured = new AtomicLong();
    private final BenchEngine engine;

    private CaptureOnly(ConnectionSettings db, SchemaName schema, String slot) {
        Properties settings = settings(db, schema, slot);
        engine = new BenchEngine("Debezium (capture only)", settings, this::count);
    }

    /** Starts an engine on {@code slot} (created if missing, kept when stopped: the caller drops it). */
    static CaptureOnly start(ConnectionSettings db, SchemaName schema, String slot) {
        return new CaptureOnly(db, schema, slot);
    }

    CompletableFuture<Void> ready() {
        return engine.ready();
    }

    /** Change records of events handed over by Debezium so far. */
    long captured() {
        return captured.get();
    }

    boolean failed() {
        return engine.failed();
    }

    private void count(List<RecordChangeEvent<SourceRecord>> changes,
                       DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws InterruptedException {
        long events = 0;
        for (RecordChangeEvent<SourceRecord> change : changes) {
            SourceRecord record = change.record();
            if (record != null && record.value() != null) {
                events++;
            }
            committer.markProcessed(change);
        }
        captured.addAndGet(events);
        committer.markBatchFinished();
    }

    @Override
    public void close() {
        engine.close();
    }

    /** Debezium's PostgreSQL connector on the store's events table with the bridge's capture settings; offsets in memory. */
    static Properties settings(ConnectionSettings db, SchemaName schema, String slot) {
        Properties url = Driver.parseURL(db.url(), null);
        Properties p = new Properties();
        p.setProperty("name", "bench-capture-only");
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
        p.setProperty("topic.prefix", "bench-capture");
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", slot);
        p.setProperty("slot.drop.on.stop", "false");
        p.setProperty("publication.name", schema.value() + "_events");
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("table.include.list", schema.value() + "\\.events");
        p.setProperty("snapshot.mode", "no_data");
        p.setProperty("tombstones.on.delete", "false");
        // The bridge's capture settings.
        p.setProperty("poll.interval.ms", "10");
        p.setProperty("max.batch.size", "2048");
        p.setProperty("max.queue.size", "8192");
        p.setProperty("statistics.metrics.enabled", "false");
        return p;
    }
}
