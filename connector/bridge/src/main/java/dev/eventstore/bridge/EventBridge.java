package dev.eventstore.bridge;

import dev.eventstore.jdbc.PostgresErrors;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import java.io.IOException;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change-data-capture bridge: Debezium's embedded PostgreSQL connector reads the
 * {@code events} table from the write-ahead log (pgoutput, the migration's publication) and
 * {@link EventPublisher} publishes each event to Kafka, at least once and in per-stream order.
 *
 * <p>Life cycle: {@link #start} first takes the store's {@link BridgeLock} (one bridge per store:
 * a second one refuses at once, with no side effect), then checks PostgreSQL and Kafka and refuses
 * with one clear line (see {@link Preflight}); it holds the lock until {@link #close}, and stops if
 * the lock's connection is lost. {@link #close} stops gracefully: the records in flight are
 * acknowledged and the offsets are saved, so a restart neither loses nor repeats an event; the
 * lock is released last.
 */
public final class EventBridge implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventBridge.class);
    private static final Duration KAFKA_CHECK_TIMEOUT = Duration.ofSeconds(15);
    /** How long a failed bridge asks PostgreSQL whether it refuses its login, to name the cause. */
    private static final Duration LOGIN_PROBE_TIMEOUT = Duration.ofSeconds(10);
    /** The monitor loop runs every {@code health.check.interval.ms}, each check bounded; not having run for this long means it hangs. */
    static final Duration LIVE_MONITOR_WINDOW = Duration.ofSeconds(120);
    /** Offsets not saved for this long (or ten flush intervals) while events are acknowledged: not ready. */
    static final Duration OFFSETS_MIN_WINDOW = Duration.ofSeconds(60);
    private final long startedMillis = System.currentTimeMillis();
    /** Debezium hands over the next batch while at most this many batches' records await Kafka. */
    private static final int PUBLISH_WINDOW_BATCHES = 4;
    /** How long a graceful stop waits for Kafka to acknowledge the records in flight. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);

    private final BridgeConfig config;
    private final BridgeMetrics metrics = new BridgeMetrics();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final DataSource dataSource;
    private final ExecutorService engineThread = Executors.newSingleThreadExecutor(daemon("eventstore-bridge-engine"));
    private final ScheduledExecutorService monitor = Executors.newSingleThreadScheduledExecutor(daemon("eventstore-bridge-monitor"));
    private final com.zaxxer.hikari.HikariDataSource pool;
    private final HeldConnection monitorConnection;
    private final Reachability kafka;
    private final Reachability postgres;
    private io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics producerMetrics;
    private volatile long monitorTickNanos = System.nanoTime();
    // The monitor loop's state (see checkSlotAndKafka).
    private final StoreViews views;
    private final PublishedWatermark watermark;
    private long lastStoreRefresh;
    private Producer<byte[], byte[]> producer;
    private TopicManager topics;
    private EventPublisher publisher;
    private PublishedPositions positions;
    private boolean topicLost;
    private Admin admin;
    private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private HealthServer http;
    private OffsetMirror mirror;
    private BridgeLock lock;
    /** This instance's key for the backend its Debezium task streams on (see SlotGuardingTask). */
    private final String instance = java.util.UUID.randomUUID().toString();
    private volatile boolean slotActive;
    private volatile String failure;
    /** Held by {@link #fail}: one failure ends the bridge, recorded before {@link #terminated} completes. */
    private final Object ending = new Object();
    private boolean closed;

    private EventBridge(BridgeConfig config) {
        this.config = config;
        this.dataSource = config.connection().dataSource();
        this.pool = ServicePool.create(config, "eventstore-bridge", 4, metrics.registry());
        this.monitorConnection = new HeldConnection(pool, true);
        this.kafka = new Reachability("bridge", "Kafka at " + config.bootstrapServers());
        this.postgres = new Reachability("bridge", "PostgreSQL at " + config.connection().displayUrl());
        metrics.readiness("bridge", () -> health().up());
        this.views = new StoreViews(config.schema());
        this.watermark = new PublishedWatermark(config.schema(), config.name(), config.slotName());
    }

    /**
     * Checks PostgreSQL and Kafka, then starts streaming. Returns once Debezium's task runs;
     * {@link #ready()} completes when it does and {@link #terminated()} when the bridge stops.
     *
     * @param resetOffsets forget the stored offsets first (a new slot, a new snapshot)
     */
    public static EventBridge start(BridgeConfig config, boolean resetOffsets) {
        EventBridge bridge = new EventBridge(config);
        try {
            bridge.startInternal(resetOffsets);
            return bridge;
        } catch (RuntimeException e) {
            bridge.close();
            throw e;
        }
    }

    private void startInternal(boolean resetOffsets) {
        // Before anything else: a second bridge of the store refuses here, having changed nothing.
        lock = BridgeLock.acquire(config.connection(), config.schema(), "eventstore bridge " + config.name());
        lock.watch(this::lockLost);
        // Kafka before the preflight: a start refused for Kafka must not have reset the offsets.
        admin = KafkaClients.admin(config, config.name() + "-admin");
        checkKafka();
        new Preflight(dataSource, config.schema(), config.name(), config.slotName(), config.publicationName(),
                config.getBoolean(BridgeConfig.Key.SLOT_FAILOVER)).check(resetOffsets);
        producer = KafkaClients.eventProducer(config, config.name());
        producerMetrics = new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(producer);
        producerMetrics.bindTo(metrics.registry());

        topics = TopicManager.of(config, admin, producer);
        topics.warnIfBrokersAutoCreateTopics();
        publisher = new EventPublisher(new EventRecordEncoder(config), producer, topics,
                new TopicLimits(admin, config.getInt(BridgeConfig.Key.PRODUCER_MAX_REQUEST_SIZE)), metrics,
                config.deadLetterEnabled() ? config.deadLetterTopic() : null, KafkaClients.deliveryTimeoutMs(config),
                PUBLISH_WINDOW_BATCHES * config.getInt(BridgeConfig.Key.MAX_BATCH_SIZE),
                positions = new PublishedPositions(pool, config.schema(), config.getLong(BridgeConfig.Key.PUBLISHED_INTERVAL_MS)),
                this::publishFailed);

        java.util.Properties settings = DebeziumSettings.from(config);
        settings.setProperty(SlotGuardingTask.INSTANCE_KEY, instance);
        settings.setProperty(PostgresOffsetBackingStore.KEY_INSTANCE, instance);
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
                        String reason = describe(message, error);
                        if (lostConnection(error)) {
                            // A connection ended under a statement (e.g. its role lost LOGIN and its
                            // sessions were terminated): what an operator must fix is the login.
                            String refused = loginRefused();
                            reason = refused != null ? refused : reason;
                        }
                        if (fail(new BridgeException(reason, error))) {
                            log.error("Bridge stopped: {}", reason, error);
                        }
                    } else {
                        terminated.complete(null);
                    }
                })
                .notifying(publisher)
                .build();
        engineThread.execute(engine);

        monitor.scheduleWithFixedDelay(this::checkSlotAndKafka, 0, config.getLong(BridgeConfig.Key.HEALTH_CHECK_INTERVAL_MS),
                TimeUnit.MILLISECONDS);
        if (config.getBoolean(BridgeConfig.Key.MIRROR_ENABLED)) {
            mirror = new OffsetMirror(config, pool, new MirrorMetrics(metrics.registry()), postgres, false);
            mirror.start();
        }
        int port = config.getInt(BridgeConfig.Key.HTTP_PORT);
        if (port >= 0) {
            try {
                http = new HealthServer(config.getString(BridgeConfig.Key.HTTP_HOST), port, this::liveness,
                        () -> health().readiness(), metrics::scrape);
            } catch (IOException e) {
                throw new BridgeException("cannot listen on " + config.getString(BridgeConfig.Key.HTTP_HOST) + ":" + port
                        + " for /health and /metrics: " + e.getMessage() + " (set http.port, or -1 to disable)", e);
            }
        }
        log.info("Bridge {} started: slot {}, publication {}, Kafka {}", config.name(), config.slotName(),
                config.publicationName(), config.bootstrapServers());
    }

    /**
     * {@link BridgeLock#loginRefused()} on a thread of its own, for at most
     * {@link #LOGIN_PROBE_TIMEOUT}: a server that stops answering during the login must not hold
     * the engine's completion callback, and so the bridge's failure, without end.
     */
    private String loginRefused() {
        BridgeLock held = lock;
        if (held == null) {
            return null;
        }
        CompletableFuture<String> probe = CompletableFuture.supplyAsync(held::loginRefused, task -> {
            Thread thread = new Thread(task, "eventstore-login-probe");
            thread.setDaemon(true);
            thread.start();
        });
        try {
            return probe.get(LOGIN_PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null; // the failure as it came is reported
        }
    }

    /** Whether {@code error} is a connection to PostgreSQL lost or terminated under a statement. */
    private static boolean lostConnection(Throwable error) {
        java.sql.SQLException sql = error == null ? null : PostgresErrors.sqlCause(error);
        String state = sql == null ? null : sql.getSQLState();
        return state != null && (state.startsWith("08") || state.startsWith("57P"));
    }

    private static String describe(String message, Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof BridgeException) {
                return t.getMessage();
            }
        }
        if (error != null && PostgresErrors.sqlCause(error) != null) {
            return PostgresErrors.describe(error);
        }
        String text = error != null && error.getMessage() != null ? error.getMessage() : message;
        return PostgresErrors.mask(text == null ? "unknown error" : text.lines().findFirst().orElse(text));
    }

    private void checkKafka() {
        try {
            admin.describeCluster().clusterId().get(KAFKA_CHECK_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            kafka.reached();
        } catch (TimeoutException e) {
            throw new BridgeException("cannot reach Kafka at " + config.bootstrapServers() + " within "
                    + KAFKA_CHECK_TIMEOUT.toSeconds() + " s", e);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new BridgeException("cannot reach Kafka at " + config.bootstrapServers() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The monitor loop, every {@code health.check.interval.ms} (5 s): the slot's state from the monitoring view (health and the slot
     * gauges), the publish checkpoint ({@link PublishedWatermark}), the store gauges from the
     * monitoring views every {@code metrics.store.interval.ms}, and whether PostgreSQL and Kafka
     * answer. A PostgreSQL or Kafka that stops answering is logged once when it goes and once
     * when it is back ({@link Reachability}); another failed read is logged and retried at the next
     * run; nothing here stops the bridge.
     */
    private void checkSlotAndKafka() {
        monitorTickNanos = System.nanoTime();
        try {
            checkPostgres();
            checkKafkaAndTopics();
        } finally {
            monitorTickNanos = System.nanoTime();
        }
    }

    private void checkPostgres() {
        try {
            monitorConnection.get();
            postgres.reached();
        } catch (Exception e) {
            monitorConnection.discard();
            metrics.slot(null);
            slotActive = false;
            postgres.failed(PostgresErrors.describe(e));
            return;
        }
        String confirmedFlushLsn = null;
        boolean slotRead = false;
        try {
            Connection connection = monitorConnection.get();
            StoreViews.SlotState slot = views.slot(connection, config.slotName()).orElse(null);
            metrics.slot(slot);
            slotActive = slot != null && slot.active() && ownsSlot(slot.activePid());
            confirmedFlushLsn = slot == null ? null : slot.confirmedFlushLsn();
            slotRead = true;
        } catch (Exception e) {
            monitorConnection.discard();
            metrics.slot(null);
            slotActive = false;
            log.warn("Cannot read replication slot {}: {}", config.slotName(), PostgresErrors.describe(e));
        }
        if (slotRead) {
            try {
                metrics.publishedBelow(watermark.tick(monitorConnection.get(), confirmedFlushLsn));
            } catch (Exception e) {
                monitorConnection.discard();
                log.warn("Cannot record the publish checkpoint in {}.cdc_checkpoints: {}", config.schema(),
                        PostgresErrors.describe(e));
            }
        }
        long storeInterval = config.getLong(BridgeConfig.Key.METRICS_STORE_INTERVAL_MS);
        long now = System.nanoTime();
        if (storeInterval > 0 && (lastStoreRefresh == 0 || now - lastStoreRefresh >= storeInterval * 1_000_000)) {
            lastStoreRefresh = now;
            try {
                Connection connection = monitorConnection.get();
                metrics.store(views.streamsPerCategory(connection), views.subscriptionLag(connection));
            } catch (Exception e) {
                monitorConnection.discard();
                log.warn("Cannot read the store gauges from the monitoring views: {}", PostgresErrors.describe(e));
            }
        }
    }

    private void checkKafkaAndTopics() {
        try {
            admin.describeCluster().clusterId().get(5, TimeUnit.SECONDS);
            kafka.reached();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            kafka.failed(e instanceof TimeoutException ? "no answer within 5 s"
                    : PostgresErrors.mask(String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage())));
        }
        if (kafka.up() && !topicLost) {
            try {
                topics.checkKnownTopics();
            } catch (BridgeException lost) {
                // A deleted or recreated event topic: publishing on would put new events into a topic
                // without the old ones. The publisher stops the bridge at its next batch.
                topicLost = true;
                publisher.stop(lost);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // Never end the monitor loop (a scheduled task that throws is not run again).
                log.warn("Cannot check the event topics' ids: {}", e.getMessage());
            }
        }
    }

    /** The slot is active for this bridge's own replication connection, not another process's. */
    private boolean ownsSlot(Integer activePid) {
        return activePid != null && activePid.equals(SlotGuardingTask.streamingPid(instance));
    }

    /**
     * A send failed (or a lost topic stopped the publisher): stop with its message, on a thread of
     * its own (called on the producer's I/O thread or the monitor's).
     */
    private void publishFailed(BridgeException reason) {
        if (fail(new BridgeException(reason.getMessage(), reason.getCause()))) {
            log.error("Bridge stopped: {}", reason.getMessage());
        }
        Thread stopping = new Thread(this::close, "eventstore-bridge-stop");
        stopping.setDaemon(true);
        stopping.start();
    }

    /** The lock's session ended: stop, on a thread of its own (close waits for the monitor). */
    private void lockLost(String reason) {
        if (fail(new BridgeException(reason))) {
            log.error("Bridge stopped: {}", reason);
        }
        Thread stopping = new Thread(this::close, "eventstore-bridge-stop");
        stopping.setDaemon(true);
        stopping.start();
    }

    /**
     * Ends the bridge with {@code stopped} unless it has already ended; returns whether this call
     * ended it. The reason is recorded before {@link #terminated()} completes, so that whoever
     * wakes on it finds the reason in {@link #health()}. On {@link #ending}, not on this object:
     * {@link #close()} holds this object while it waits for the engine's thread, and that thread
     * calls here as it ends.
     */
    private boolean fail(BridgeException stopped) {
        synchronized (ending) {
            if (terminated.isDone()) {
                ready.completeExceptionally(stopped);
                return false;
            }
            failure = stopped.getMessage();
            ready.completeExceptionally(stopped);
            return terminated.completeExceptionally(stopped);
        }
    }

    /** Completes when Debezium's task runs; fails if the bridge stops first. */
    public CompletableFuture<Void> ready() {
        return ready;
    }

    /** Completes when the bridge stops: normally after {@link #close}, exceptionally on failure. */
    public CompletableFuture<Void> terminated() {
        return terminated;
    }

    public BridgeMetrics metrics() {
        return metrics;
    }

    /** The port of /health and /metrics, or -1 when disabled. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    public BridgeHealth health() {
        long last = metrics.lastPublishMillis();
        boolean running = ready.isDone() && !ready.isCompletedExceptionally() && !terminated.isDone();
        PostgresOffsetBackingStore.FlushState flush = PostgresOffsetBackingStore.flushState(instance);
        // Recent: no event acknowledged since the offsets were last saved (or since the start) has
        // waited longer than the window for a flush.
        long savedOrStarted = flush == null || flush.savedMillis() == 0 ? startedMillis : flush.savedMillis();
        long window = Math.max(OFFSETS_MIN_WINDOW.toMillis(), 10 * config.getLong(BridgeConfig.Key.OFFSET_FLUSH_INTERVAL_MS));
        boolean stale = last > savedOrStarted && System.currentTimeMillis() - savedOrStarted > window;
        boolean offsetsSaved = (flush == null || flush.failure() == null) && !stale;
        String offsetsDetail = flush != null && flush.failure() != null ? "last flush failed: " + flush.failure()
                : stale ? "events acknowledged since " + Instant.ofEpochMilli(savedOrStarted) + " and no offsets saved for "
                        + window / 1000 + " s"
                : flush == null ? "no flush yet"
                : "saved at " + Instant.ofEpochMilli(flush.savedMillis());
        return new BridgeHealth(running, slotActive, kafka.up(), last == 0 ? null : Instant.ofEpochMilli(last),
                metrics.publishedCount(), failure, postgres.up(), offsetsSaved, offsetsDetail);
    }

    /**
     * {@code /health/live}: the bridge has not stopped (it is starting or running) and its monitor
     * loop has run within {@link #LIVE_MONITOR_WINDOW}. A bridge that waits for Kafka or PostgreSQL
     * is live but not ready; one that stopped is neither, and is restarted by its supervisor.
     */
    public HealthReport liveness() {
        boolean stopped = terminated.isDone() || failure != null;
        long sinceMonitor = (System.nanoTime() - monitorTickNanos) / 1_000_000_000;
        boolean monitorRuns = closed || sinceMonitor < LIVE_MONITOR_WINDOW.toSeconds();
        return new HealthReport("bridge", java.util.List.of(
                new HealthReport.Check("process", !stopped, stopped ? "stopped" + (failure == null ? "" : ": " + failure)
                        : "running"),
                new HealthReport.Check("monitor", monitorRuns, "last ran " + sinceMonitor + " s ago")));
    }

    /** Stops gracefully: the records in flight are acknowledged and the offsets saved. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // A caller interrupted while stopping (a shutdown hook, Ctrl-C) must still get an orderly
        // close: every wait below would return at once, and the engine would save its last offsets
        // after the caller had stopped the database. The interrupt is restored at the end.
        boolean interrupted = Thread.interrupted();
        try {
            closeInOrder();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeInOrder() {
        monitor.shutdownNow();
        try {
            monitor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        monitorConnection.close();
        if (mirror != null) {
            mirror.close();
        }
        if (publisher != null) {
            try {
                // Before the engine's last offset commit: everything sent is acknowledged and marked.
                publisher.drain(DRAIN_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (engine != null) {
            try {
                engine.close();
            } catch (IOException e) {
                log.warn("Debezium engine did not close cleanly: {}", e.getMessage());
            } catch (IllegalStateException alreadyStopped) {
                // The engine stopped by itself (a failure); nothing left to close.
            }
        }
        engineThread.shutdown();
        try {
            if (!engineThread.awaitTermination(60, TimeUnit.SECONDS)) {
                log.warn("Debezium engine still running after 60 s; stopping it");
                engineThread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (positions != null) {
            positions.close();
        }
        if (producerMetrics != null) {
            producerMetrics.close();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(30));
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (http != null) {
            http.close();
        }
        SlotGuardingTask.forget(instance);
        PostgresOffsetBackingStore.forget(instance);
        pool.close();
        metrics.close();
        if (lock != null) {
            lock.close();
        }
        terminated.complete(null);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
