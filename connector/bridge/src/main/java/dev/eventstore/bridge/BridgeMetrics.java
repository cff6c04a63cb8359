package dev.eventstore.bridge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The bridge's measurements, exposed at {@code /metrics} in Prometheus format. Names start with
 * {@code eventstore_bridge_}; each is described, with the alerts built on it, in
 * {@code docs/operations.md}.
 *
 * <p>The slot gauges and the store gauges (categories, subscription lag) are read by the
 * bridge's monitor loop from the monitoring views ({@link StoreViews}), the same rows
 * {@code eventstore status} and an operator's dashboard read: one definition of each number.
 */
public final class BridgeMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
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
    private final AtomicLong storeRefreshMillis = new AtomicLong(0);
    private final MultiGauge categoryStreams;
    private final MultiGauge categoryEvents;
    private final MultiGauge subscriptionLagEvents;
    private final MultiGauge subscriptionLagSeconds;

    BridgeMetrics() {
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
        Gauge.builder("eventstore.bridge.store.refresh.timestamp", storeRefreshMillis, v -> v.get() / 1000.0)
                .description("When the store gauges were last read from the monitoring views, in epoch seconds"
                        + " (0: never, or metrics.store.interval.ms=0)")
                .baseUnit("seconds").register(registry);
        categoryStreams = MultiGauge.builder("eventstore.bridge.category.streams")
                .description("Streams per category, soft-deleted ones included (view monitor_streams_per_category)")
                .register(registry);
        categoryEvents = MultiGauge.builder("eventstore.bridge.category.events")
                .description("Events stored per category (view monitor_streams_per_category); its rate is the append rate")
                .register(registry);
        subscriptionLagEvents = MultiGauge.builder("eventstore.bridge.subscription.lag.events")
                .description("Events a subscription (consumer group) has not processed, per category (view"
                        + " monitor_subscription_lag)")
                .register(registry);
        subscriptionLagSeconds = MultiGauge.builder("eventstore.bridge.subscription.lag")
                .description("Age of the oldest event a subscription has not processed, per category; 0 when caught up"
                        + " (view monitor_subscription_lag)")
                .baseUnit("seconds").register(registry);
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

    /** The store gauges, from the monitoring views. */
    void store(List<StoreViews.CategoryStreams> categories, List<StoreViews.SubscriptionLag> lags) {
        categoryStreams.register(categories.stream()
                .map(c -> MultiGauge.Row.of(Tags.of("category", c.category()), c.streams())).toList(), true);
        categoryEvents.register(categories.stream()
                .map(c -> MultiGauge.Row.of(Tags.of("category", c.category()), c.events())).toList(), true);
        subscriptionLagEvents.register(lags.stream()
                .map(l -> MultiGauge.Row.of(Tags.of("subscription", l.subscriptionId(), "category", l.category()),
                        l.eventsBehind())).toList(), true);
        subscriptionLagSeconds.register(lags.stream()
                .map(l -> MultiGauge.Row.of(Tags.of("subscription", l.subscriptionId(), "category", l.category()),
                        l.lagSeconds())).toList(), true);
        storeRefreshMillis.set(System.currentTimeMillis());
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
