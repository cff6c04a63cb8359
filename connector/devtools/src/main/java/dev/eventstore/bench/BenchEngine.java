package dev.eventstore.bench;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import java.io.IOException;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * A Debezium embedded engine the benchmark runs beside the bridge (the outbox router peer, the
 * capture-only ceiling): started on a thread of its own, ready once its task runs, failed if it
 * stops with an error, and closed and waited for.
 */
final class BenchEngine implements AutoCloseable {

    private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private final ExecutorService thread;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    /** @param what how a failure names this engine, e.g. "Debezium with the outbox EventRouter" */
    BenchEngine(String what, Properties settings, DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> consumer) {
        thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bench-engine-" + settings.getProperty("name"));
            t.setDaemon(true);
            return t;
        });
        engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(settings)
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void taskStarted() {
                        ready.complete(null);
                    }
                })
                .using((success, message, error) -> {
                    if (!success || error != null) {
                        IllegalStateException failure = new IllegalStateException(
                                what + " stopped: " + (error != null ? error.getMessage() : message), error);
                        ready.completeExceptionally(failure);
                        stopped.completeExceptionally(failure);
                    } else {
                        stopped.complete(null);
                    }
                })
                .notifying(consumer)
                .build();
        thread.execute(engine);
    }

    CompletableFuture<Void> ready() {
        return ready;
    }

    /** Whether the engine stopped with a failure. */
    boolean failed() {
        return stopped.isCompletedExceptionally();
    }

    @Override
    public void close() {
        try {
            engine.close();
        } catch (IOException | IllegalStateException ignored) {
            // stopped already, or failed: nothing left to close
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(60, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
