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

/**
 * The capture side's ceiling in the drain workload: Debezium's embedded engine with the bridge's
 * capture settings (those of {@link OutboxRouterBridge}, without its transform), whose handler
 * counts each change record of an event and discards it. No mapping, no Kafka: what Debezium
 * itself delivers from the slot on this machine, so that a drain figure can be read against what
 * any Debezium-based publisher could reach here.
 */
final class CaptureOnly implements AutoCloseable {

    private final AtomicLong captured = new AtomicLong();
    private final BenchEngine engine;

    private CaptureOnly(ConnectionSettings db, SchemaName schema, String slot) {
        Properties settings = OutboxRouterBridge.settings(db, schema, slot, "unused", false);
        settings.stringPropertyNames().stream().filter(key -> key.startsWith("transforms")).forEach(settings::remove);
        settings.setProperty("name", "bench-capture-only");
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
}
