package dev.eventstore.bridge;

import com.zaxxer.hikari.HikariDataSource;
import dev.eventstore.jdbc.PostgresErrors;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code eventstore mirror}: the {@link OffsetMirror} as a service of its own, for deployments
 * where Kafka Connect publishes and no bridge runs. It mirrors consumer groups' committed offsets
 * into {@code subscriptions} every {@code mirror.interval.ms} while it holds the store's
 * {@link MirrorLock} (a second mirror, or the mirror built into {@code run}, waits), reads the
 * store-wide figures ({@link StoreMetrics}) every {@code metrics.store.interval.ms}, and serves
 * {@code /health/live}, {@code /health/ready} and {@code /metrics} on {@code http.host}:{@code http.port}.
 *
 * <p>Ready when Kafka and PostgreSQL answered their last check (every {@code health.check.interval.ms}) and the last pass is
 * recent (within {@link #passWindow()}), or this mirror waits as a standby for the one that
 * writes. An outage is logged once when it begins and once when it ends.
 */
public final class MirrorService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MirrorService.class);
    /** How long a check waits for Kafka's answer. */
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);
    /** The mirror's thread not having begun or ended a pass for this long (plus an interval) means it hangs. */
    private static final Duration LIVE_WINDOW = Duration.ofMinutes(5);

    private final BridgeConfig config;
    private final PrometheusMeterRegistry registry = Registries.withJvmAndProcess();
    private final MirrorMetrics mirrorMetrics = new MirrorMetrics(registry);
    private final StoreMetrics storeMetrics = new StoreMetrics(registry);
    private final Reachability kafka;
    private final Reachability postgres;
    private final StoreViews views;
    private final ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "eventstore-mirror-checks");
        thread.setDaemon(true);
        return thread;
    });
    private final long startedNanos = System.nanoTime();
    private HikariDataSource pool;
    private Admin admin;
    private KafkaClientMetrics adminMetrics;
    private OffsetMirror mirror;
    private HealthServer http;
    private long lastStoreRefresh;
    private volatile boolean closed;

    private MirrorService(BridgeConfig config) {
        this.config = config;
        this.kafka = new Reachability("offset mirror", "Kafka at " + config.bootstrapServers());
        this.postgres = new Reachability("offset mirror", "PostgreSQL at " + config.connection().displayUrl());
        this.views = new StoreViews(config.schema());
    }

    /**
     * Starts the mirror, its checks and its HTTP endpoint. A Kafka or PostgreSQL that is away at
     * start is not an error: the service waits for it, not ready, and says so once.
     *
     * @throws BridgeException the HTTP port cannot be listened on
     */
    public static MirrorService start(BridgeConfig config) {
        MirrorService service = new MirrorService(config);
        try {
            service.startInternal();
            return service;
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
    }

    private void startInternal() {
        pool = ServicePool.create(config, "eventstore-mirror", 3, registry);
        admin = KafkaClients.admin(config, config.name() + "-mirror-checks");
        adminMetrics = new KafkaClientMetrics((org.apache.kafka.clients.admin.AdminClient) admin);
        adminMetrics.bindTo(registry);
        Registries.readiness(registry, "mirror", () -> readiness().up());
        int port = config.getInt(BridgeConfig.Key.HTTP_PORT);
        if (port >= 0) {
            try {
                http = new HealthServer(config.getString(BridgeConfig.Key.HTTP_HOST), port, this::liveness,
                        this::readiness, registry::scrape);
            } catch (IOException e) {
                throw new BridgeException("cannot listen on " + config.getString(BridgeConfig.Key.HTTP_HOST) + ":" + port
                        + " for /health and /metrics: " + e.getMessage() + " (set http.port, or -1 to disable)", e);
            }
        }
        checks.scheduleWithFixedDelay(this::check, 0, config.getLong(BridgeConfig.Key.HEALTH_CHECK_INTERVAL_MS),
                TimeUnit.MILLISECONDS);
        mirror = new OffsetMirror(config, pool, mirrorMetrics, postgres, true);
        mirror.start();
        log.info("Offset mirror {} started: schema {}, Kafka {}", config.name(), config.schema(), config.bootstrapServers());
    }

    /** Every {@code health.check.interval.ms}: whether Kafka and PostgreSQL answer, and the store figures when they are due. */
    private void check() {
        try {
            admin.describeCluster().clusterId().get(CHECK_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            kafka.reached();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return;
            }
            kafka.failed(e instanceof TimeoutException ? "no answer within " + CHECK_TIMEOUT.toSeconds() + " s"
                    : PostgresErrors.mask(String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage())));
        }
        try (Connection connection = pool.getConnection()) {
            postgres.reached();
            long storeInterval = config.getLong(BridgeConfig.Key.METRICS_STORE_INTERVAL_MS);
            long now = System.nanoTime();
            if (storeInterval > 0 && (lastStoreRefresh == 0 || now - lastStoreRefresh >= storeInterval * 1_000_000)) {
                lastStoreRefresh = now;
                try {
                    storeMetrics.update(views.streamsPerCategory(connection), views.subscriptionLag(connection));
                } catch (Exception e) {
                    log.warn("Cannot read the store figures from the monitoring views: {}", PostgresErrors.describe(e));
                }
            }
        } catch (Exception e) {
            postgres.failed(PostgresErrors.describe(e));
        }
    }

    /** How recent the last pass must be for readiness: three intervals, and at least two minutes. */
    private Duration passWindow() {
        return Duration.ofMillis(Math.max(120_000, 3 * config.getLong(BridgeConfig.Key.MIRROR_INTERVAL_MS)));
    }

    /** {@code /health/ready}: Kafka and PostgreSQL reachable, the last pass recent (or a standby). */
    public HealthReport readiness() {
        long last = mirrorMetrics.lastPassMillis();
        boolean standby = mirror != null && mirror.waiting();
        long reference = last > 0 ? last : System.currentTimeMillis() - (System.nanoTime() - startedNanos) / 1_000_000;
        boolean recent = System.currentTimeMillis() - reference < passWindow().toMillis();
        boolean passUp = !closed && (standby || (last > 0 && recent));
        String passDetail = closed ? "stopped"
                : standby ? "standby: another offset mirror holds the mirror lock"
                : last == 0 ? "no pass yet"
                : "last pass at " + Instant.ofEpochMilli(last) + (recent ? "" : ", older than " + passWindow().toSeconds() + " s");
        return new HealthReport("mirror", List.of(
                new HealthReport.Check("kafka", kafka.up(), kafka.up() ? "reachable" : kafka.problem()),
                new HealthReport.Check("postgres", postgres.up(), postgres.up() ? "reachable" : postgres.problem()),
                new HealthReport.Check("pass", passUp, passDetail)));
    }

    /** {@code /health/live}: not stopped, and the mirror's thread is not stuck in a pass. */
    public HealthReport liveness() {
        long idleSeconds = mirror == null ? 0 : mirror.sinceLastTickNanos() / 1_000_000_000;
        long limit = LIVE_WINDOW.toSeconds() + config.getLong(BridgeConfig.Key.MIRROR_INTERVAL_MS) / 1000;
        return new HealthReport("mirror", List.of(
                new HealthReport.Check("process", !closed, closed ? "stopped" : "running"),
                new HealthReport.Check("loop", idleSeconds < limit, "last active " + idleSeconds + " s ago")));
    }

    /** The port of /health and /metrics, or -1 when disabled. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** The Prometheus text of {@code /metrics}. */
    public String scrape() {
        return registry.scrape();
    }

    /** Stops the mirror (a pass in flight is interrupted; what it wrote is whole), then the checks. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (mirror != null) {
            mirror.close();
        }
        checks.shutdownNow();
        try {
            checks.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (http != null) {
            http.close();
        }
        if (adminMetrics != null) {
            adminMetrics.close();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (pool != null) {
            pool.close();
        }
        Registries.close(registry);
    }
}
