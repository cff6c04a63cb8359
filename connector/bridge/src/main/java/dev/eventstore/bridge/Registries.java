package dev.eventstore.bridge;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.BooleanSupplier;

/**
 * The registry behind {@code /metrics} of {@code run} and {@code mirror}: the service's own meters
 * ({@code eventstore_*}, described in {@code docs/metrics.md}) beside Micrometer's JVM
 * ({@code jvm_*}), process and system ({@code process_*}, {@code system_*}) binders; the services
 * add Kafka's client metrics ({@code kafka_*}) and their connection pool's ({@code hikaricp_*}).
 */
final class Registries {

    private Registries() {
    }

    private static final java.util.Map<MeterRegistry, JvmGcMetrics> GC = new java.util.WeakHashMap<>();

    /** A Prometheus registry with the JVM and process binders bound; {@link #close} it with its service. */
    static PrometheusMeterRegistry withJvmAndProcess() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        // JvmGcMetrics listens to GC notifications until closed.
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        synchronized (GC) {
            GC.put(registry, gc);
        }
        return registry;
    }

    /** {@code eventstore_ready{component=...}}: 1 while {@code ready} says so, else 0. */
    static void readiness(MeterRegistry registry, String component, BooleanSupplier ready) {
        Gauge.builder("eventstore.ready", ready, r -> r.getAsBoolean() ? 1 : 0)
                .description("1 while the component (bridge or mirror) is ready, as its /health/ready answers; 0 otherwise")
                .tag("component", component).strongReference(true).register(registry);
    }

    /** Stops the registry's GC listener and closes it. */
    static void close(MeterRegistry registry) {
        JvmGcMetrics gc;
        synchronized (GC) {
            gc = GC.remove(registry);
        }
        if (gc != null) {
            gc.close();
        }
        registry.close();
    }
}
