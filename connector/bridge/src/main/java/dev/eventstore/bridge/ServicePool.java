package dev.eventstore.bridge;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The small connection pool of a service's periodic work (the bridge's monitor loop, the offset
 * mirror, the store figures), with HikariCP's meters ({@code hikaricp_connections_*}, tag
 * {@code pool}) in the service's registry. It opens connections lazily and keeps none idle, so a
 * PostgreSQL that is away at start only fails the checks, and a connection waits at most 5 s.
 */
final class ServicePool {

    private ServicePool() {
    }

    static HikariDataSource create(BridgeConfig config, String name, int size, MeterRegistry registry) {
        HikariConfig hikari = new HikariConfig();
        hikari.setDataSource(config.connection().dataSource());
        hikari.setPoolName(name);
        hikari.setMaximumPoolSize(size);
        hikari.setMinimumIdle(0);
        hikari.setConnectionTimeout(5_000);
        hikari.setValidationTimeout(2_000);
        hikari.setInitializationFailTimeout(-1);
        hikari.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        return new HikariDataSource(hikari);
    }
}
