package dev.eventstore.bridge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The bridge's measurements, exposed at {@code /metrics} in Prometheus format. Names start with
 * {@code eventstore_bridge_}; each is described in the README's operations section.
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

    void slot(ReplicationSlot slot) {
        slotLagBytes.set(slot == null ? -1 : slot.lagBytes());
        slotRetainedBytes.set(slot == null ? -1 : slot.retainedBytes());
        slotActive.set(slot != null && slot.active() ? 1 : 0);
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
