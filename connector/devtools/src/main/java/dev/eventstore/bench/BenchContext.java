package dev.eventstore.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.eventstore.AppendResult;
import dev.eventstore.EventData;
import dev.eventstore.EventStore;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.cli.Progress;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaName;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * What every workload shares in one run: the settings, the servers, the event store and its
 * raw copy (one pool, one schema each), message-db if installed, the events and the progress
 * line; and {@link #measure}, which runs one case and turns it into a row.
 */
final class BenchContext {

    static final SchemaName STORE_SCHEMA = SchemaName.of("bench_store");
    static final SchemaName RAW_SCHEMA = SchemaName.of("bench_raw");
    static final SchemaName SCALE_SCHEMA = SchemaName.of("bench_scale");

    final BenchSettings settings;
    final BenchServers servers;
    final HikariDataSource storePool;
    final EventStore store;
    final RawCopy raw;
    final MessageDb messageDb;
    final EventPool events;
    final Progress progress;
    final MigrationSource migrations;

    BenchContext(BenchSettings settings, BenchServers servers, HikariDataSource storePool, EventStore store, RawCopy raw,
                 MessageDb messageDb, EventPool events, Progress progress, MigrationSource migrations) {
        this.settings = settings;
        this.servers = servers;
        this.storePool = storePool;
        this.store = store;
        this.raw = raw;
        this.messageDb = messageDb;
        this.events = events;
        this.progress = progress;
        this.migrations = migrations;
    }

    /** The settings of a bridge (or the admin commands' code) on the benchmark's servers and store, over its defaults. */
    BridgeConfig bridgeConfig(String name, String slot, String topicPrefix, Map<String, Object> overrides) {
        ConnectionSettings db = servers.store();
        Map<String, Object> config = new HashMap<>();
        config.put(BridgeConfig.Key.NAME, name);
        config.put(BridgeConfig.Key.DB_URL, db.url());
        if (db.user() != null) {
            config.put(BridgeConfig.Key.DB_USER, db.user());
        }
        if (db.password() != null) {
            config.put(BridgeConfig.Key.DB_PASSWORD, db.password());
        }
        config.put(BridgeConfig.Key.SCHEMA, STORE_SCHEMA.value());
        config.put(BridgeConfig.Key.SLOT_NAME, slot);
        config.put(BridgeConfig.Key.SNAPSHOT_MODE, "no_data");
        config.put(BridgeConfig.Key.KAFKA_BOOTSTRAP_SERVERS, servers.bootstrapServers());
        config.put(BridgeConfig.Key.TOPIC_PARTITIONS, PipelineWorkloads.PARTITIONS);
        config.put(BridgeConfig.Key.HTTP_PORT, -1);
        config.put("topic.prefix", topicPrefix);
        config.putAll(this.settings.bridgeSettings());
        config.putAll(overrides);
        return new BridgeConfig(config);
    }

    /** Empties the store, its raw copy and message-db, so that each case starts from empty tables. */
    void resetAll() throws SQLException {
        store.schemaManager().reset();
        raw.truncate();
        if (messageDb.available()) {
            messageDb.truncate();
        }
        try (Connection connection = storePool.getConnection(); Statement statement = connection.createStatement()) {
            checkpoint(statement); // each case starts without the previous one's dirty pages to write
        }
    }

    /**
     * A CHECKPOINT where the benchmark's role may run one (superuser or pg_checkpoint); without
     * the right, the server's own checkpoint schedule applies and the figures share it.
     */
    static void checkpoint(Statement statement) {
        try {
            statement.execute("CHECKPOINT");
        } catch (SQLException notAllowed) {
            // see above
        }
    }

    /**
     * Runs now what the server would otherwise start in the middle of the next measurement, after
     * a large append: autovacuum's VACUUM (ANALYZE) of the store's tables (it fires past 20 % new
     * rows: during the first case after a warm-up burst, never the later ones) and a checkpoint.
     * Without it, whichever variant ran first after a burst was measured beside a vacuum.
     */
    void settle() throws SQLException {
        try (Connection connection = storePool.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(BenchSql.in(BenchSql.VACUUM_EVENTS, "schema", STORE_SCHEMA));
            checkpoint(statement);
        }
    }

    /** Describes one subject of one workload, for {@link #measure}. */
    record Subject(String workloadId, String workload, String subjectId, String subject, ResultRow.Role role,
                   ResultRow.Basis basis) {

        ResultRow notRun(String reason) {
            return ResultRow.notRun(workloadId, workload, subjectId, subject, role, basis, reason);
        }

        ResultRow failed(String reason) {
            return ResultRow.failed(workloadId, workload, subjectId, subject, role, basis, reason);
        }

        ResultRow measured(double eventsPerSecond, Latency latency, String note) {
            return ResultRow.measured(workloadId, workload, subjectId, subject, role, basis, eventsPerSecond, latency, note);
        }
    }

    /**
     * Runs one case with {@link LoadRunner} after {@code setup}, and returns its row; a failure
     * becomes a FAILED row with the reason, so one broken subject never stops the run.
     */
    ResultRow measure(Subject subject, int writers, SetUp setup, LoadRunner.Writers factory,
                      Function<LoadRunner.Outcome, String> note) {
        progress.startCase(subject.workload() + " · " + subject.subject(), settings.caseTime());
        try {
            if (setup != null) {
                setup.run();
            }
            LoadRunner.Outcome outcome = LoadRunner.run(writers, settings.warmup(), settings.duration(),
                    settings.maxOperations(), factory, progress);
            if (outcome.failure() != null) {
                return subject.failed(outcome.failure());
            }
            if (outcome.events() == 0) {
                return subject.failed("no operation completed in the measured " + BenchSettings.seconds(settings.duration()));
            }
            return subject.measured(outcome.eventsPerSecond(), Latency.of(outcome.latency()),
                    note == null ? "" : note.apply(outcome));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return subject.failed(LoadRunner.describe(e));
        }
    }

    /** Set-up before a case, outside its measurement. */
    @FunctionalInterface
    interface SetUp {
        void run() throws Exception;
    }

    Duration caseTime() {
        return settings.caseTime();
    }

    /**
     * Appends the backlog through the library: 100-event batches, two writers, streams of 1,000
     * events. Returns the largest event id written.
     */
    long appendBacklog(String name, int count) throws Exception {
        int writers = 2;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> futures = new ArrayList<>();
            AtomicLong largest = new AtomicLong();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                int share = count / writers + (w < count % writers ? 1 : 0);
                futures.add(pool.submit(() -> {
                    long written = 0;
                    int stream = 0;
                    long version = 0;
                    while (written < share) {
                        int n = (int) Math.min(100, share - written);
                        List<EventData> batch = this.events.batch(written + writer * 7919L, n);
                        String streamId = "game-" + name + "w" + writer + "s" + stream;
                        AppendResult result = store.append(streamId, version == 0 ? ExpectedVersion.NO_STREAM
                                : ExpectedVersion.exactly(version), batch);
                        version = result.lastVersion();
                        largest.accumulateAndGet(result.eventIds().get(result.eventIds().size() - 1), Math::max);
                        written += n;
                        if (version >= 1000) {
                            stream++;
                            version = 0;
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get(Math.max(120, count / 500), TimeUnit.SECONDS);
            }
            return largest.get();
        } finally {
            pool.shutdownNow();
        }
    }
}
