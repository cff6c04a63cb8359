package dev.eventstore.bridge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The bridge's measurements, exposed at {@code /metrics} in Prometheus format: its own
 * ({@code eventstore_bridge_*}), the store-wide figures ({@link StoreMetrics},
 * {@code eventstore_store_*}), the readiness gauge ({@code eventstore_ready{component="bridge"}}),
 * and Micrometer's JVM and process binders ({@link Registries}); the bridge binds its Kafka
 * producer's and its connection pool's metrics to the same registry. Every {@code eventstore_*}
 * name is listed in {@code docs/metrics.md}, generated from this code.
 *
 * <p>The slot gauges and the store figures (categories, subscription lag) are read by the
 * bridge's monitor loop from the monitoring views ({@link StoreViews}), the same rows
 * {@code eventstore status} and an operator's dashboard read: one definition of each number.
 */
public final class BridgeMetrics {

    private final PrometheusMeterRegistry registry;
    private final StoreMetrics store;
    private final Counter published;
    private final Counter errors;
    private final Counter deadLettered;
    private final Timer commitToAck;
    private final AtomicLong lastPublishMillis = new AtomicLong();
    private final AtomicLong slotLagBytes = new AtomicLong(-1);
    private final AtomicLong slotRetainedBytes = new AtomicLong(-1);
    private final AtomicLong slotActive = new AtomicLong(0);
    private final AtomicLong slotSafeWalBytes = new AtomicLong(-1);
    private final AtomicLong publishedBelowEventId = new AtomicLong(0);

    BridgeMetrics() {
        this(Registries.withJvmAndProcess());
    }

    BridgeMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        this.store = new StoreMetrics(registry);
        published = Counter.builder("eventstore.bridge.events.published")
                .description("Events published to Kafka and acknowledged").register(registry);
        errors = Counter.builder("eventstore.bridge.publish.errors")
                .description("Event records Kafka refused").register(registry);
        deadLettered = Counter.builder("eventstore.bridge.events.dead.lettered")
                .description("Event records sent to the dead-letter topic").register(registry);
        commitToAck = Timer.builder("eventstore.bridge.commit.to.ack")
                .description("From the PostgreSQL commit of an event to Kafka's acknowledgement of its record")
                .publishPercentiles(0.5, 0.99, 0.999)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        Gauge.builder("eventstore.bridge.last.publish.timestamp", lastPublishMillis, v -> v.get() / 1000.0)
                .description("When the last event was acknowledged, in epoch seconds (0: none yet)")
                .baseUnit("seconds").register(registry);
        Gauge.builder("eventstore.bridge.slot.lag", slotLagBytes, AtomicLong::get)
                .description("WAL written since the position the bridge confirmed to its slot (-1: unknown)")
                .baseUnit("bytes").register(registry);
        Gauge.builder("eventstore.bridge.slot.retained.wal", slotRetainedBytes, AtomicLong::get)
                .description("WAL the server retains for the bridge's slot (-1: unknown)")
                .baseUnit("bytes").register(registry);
        Gauge.builder("eventstore.bridge.slot.active", slotActive, AtomicLong::get)
                .description("1 while the bridge's replication slot is active").register(registry);
        Gauge.builder("eventstore.bridge.slot.safe.wal.size", slotSafeWalBytes, AtomicLong::get)
                .description("WAL the slot may still fall behind before max_slot_wal_keep_size invalidates it"
                        + " (-1: unlimited or unknown)")
                .baseUnit("bytes").register(registry);
        Gauge.builder("eventstore.bridge.published.below.event.id", publishedBelowEventId, AtomicLong::get)
                .description("Low watermark: Kafka has acknowledged every event with a smaller id (0: not yet known)")
                .register(registry);
    }

    void published(ProducerRecord<byte[], byte[]> record, RecordMetadata metadata, long commitMicros) {
        published.increment();
        long now = System.currentTimeMillis();
        lastPublishMillis.set(now);
        if (commitMicros > 0) {
            commitToAck.record(Math.max(0, now * 1000 - commitMicros), TimeUnit.MICROSECONDS);
        }
    }

    void failed() {
        errors.increment();
    }

    void deadLettered() {
        deadLettered.increment();
    }

    /** The bridge's slot as the view {@code monitor_replication_slots} shows it ({@code null}: none or unknown). */
    void slot(StoreViews.SlotState slot) {
        slotLagBytes.set(slot == null ? -1 : slot.unconfirmedWalBytes());
        slotRetainedBytes.set(slot == null ? -1 : slot.retainedWalBytes());
        slotActive.set(slot != null && slot.active() ? 1 : 0);
        slotSafeWalBytes.set(slot == null || slot.safeWalSize() == null ? -1 : slot.safeWalSize());
    }

    void publishedBelow(long eventId) {
        publishedBelowEventId.set(eventId);
    }

    /** The store figures, from the monitoring views. */
    void store(List<StoreViews.CategoryStreams> categories, List<StoreViews.SubscriptionLag> lags) {
        store.update(categories, lags);
    }

    /** {@code eventstore_ready{component=...}}: 1 while {@code ready} says so, else 0. */
    void readiness(String component, java.util.function.BooleanSupplier ready) {
        Registries.readiness(registry, component, ready);
    }

    /** Stops the JVM binders' listeners. */
    void close() {
        Registries.close(registry);
    }

    public long publishedCount() {
        return (long) published.count();
    }

    public long errorCount() {
        return (long) errors.count();
    }

    /** Epoch millis of the last acknowledgement, 0 if none. */
    public long lastPublishMillis() {
        return lastPublishMillis.get();
    }

    public MeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }
}
