package dev.eventstore.bridge;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store-wide figures ({@code eventstore_store_*}), read from the monitoring views
 * ({@link StoreViews}) every {@code metrics.store.interval.ms} by whichever service serves them:
 * the bridge ({@code run}) and the offset mirror ({@code mirror}), so that a Kafka Connect
 * deployment has them too. The events stored per category only grow (rows are never deleted by
 * anything but a hard delete, which the count then no longer includes): a counter, whose rate is
 * the append rate.
 */
final class StoreMetrics {

    private final MeterRegistry registry;
    private final AtomicLong refreshMillis = new AtomicLong(0);
    private final MultiGauge categoryStreams;
    private final MultiGauge subscriptionLagEvents;
    private final MultiGauge subscriptionLagSeconds;
    private final Map<String, AtomicLong> categoryEvents = new ConcurrentHashMap<>();
    private final Map<String, Meter> categoryEventCounters = new ConcurrentHashMap<>();

    StoreMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("eventstore.store.refresh.timestamp", refreshMillis, v -> v.get() / 1000.0)
                .description("When the store figures were last read from the monitoring views, in epoch seconds"
                        + " (0: never, or metrics.store.interval.ms=0)")
                .baseUnit("seconds").register(registry);
        categoryStreams = MultiGauge.builder("eventstore.store.category.streams")
                .description("Streams per category, soft-deleted ones included (view monitor_streams_per_category)")
                .register(registry);
        subscriptionLagEvents = MultiGauge.builder("eventstore.store.subscription.lag.events")
                .description("Events a subscription (consumer group) has not processed, per category (view"
                        + " monitor_subscription_lag)")
                .register(registry);
        subscriptionLagSeconds = MultiGauge.builder("eventstore.store.subscription.lag")
                .description("Age of the oldest event a subscription has not processed, per category; 0 when caught up"
                        + " (view monitor_subscription_lag)")
                .baseUnit("seconds").register(registry);
    }

    /** The figures of one read of the views; a category or subscription no longer there disappears. */
    void update(List<StoreViews.CategoryStreams> categories, List<StoreViews.SubscriptionLag> lags) {
        categoryStreams.register(categories.stream()
                .map(c -> MultiGauge.Row.of(Tags.of("category", c.category()), c.streams())).toList(), true);
        Set<String> seen = new HashSet<>();
        for (StoreViews.CategoryStreams c : categories) {
            seen.add(c.category());
            categoryEvents.computeIfAbsent(c.category(), category -> {
                AtomicLong count = new AtomicLong();
                categoryEventCounters.put(category, FunctionCounter.builder("eventstore.store.category.events", count,
                                AtomicLong::doubleValue)
                        .description("Events stored per category (view monitor_streams_per_category); its rate is the"
                                + " append rate")
                        .tags(Tags.of("category", category)).register(registry));
                return count;
            }).set(c.events());
        }
        for (String category : Set.copyOf(categoryEvents.keySet())) {
            if (!seen.contains(category)) {
                categoryEvents.remove(category);
                Meter meter = categoryEventCounters.remove(category);
                if (meter != null) {
                    registry.remove(meter);
                }
            }
        }
        subscriptionLagEvents.register(lags.stream()
                .map(l -> MultiGauge.Row.of(Tags.of("subscription", l.subscriptionId(), "category", l.category()),
                        l.eventsBehind())).toList(), true);
        subscriptionLagSeconds.register(lags.stream()
                .map(l -> MultiGauge.Row.of(Tags.of("subscription", l.subscriptionId(), "category", l.category()),
                        l.lagSeconds())).toList(), true);
        refreshMillis.set(System.currentTimeMillis());
    }
}
