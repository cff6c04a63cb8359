package dev.eventstore.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.eventstore.EventStore;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaName;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
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

    /** Empties the store, its raw copy and message-db, so that each case starts from empty tables. */
    void resetAll() throws SQLException {
        store.schemaManager().reset();
        raw.truncate();
        if (messageDb.available()) {
            messageDb.truncate();
        }
        try (Connection connection = storePool.getConnection(); Statement statement = connection.createStatement()) {
            // Each case starts without the previous one's dirty pages to write (needs superuser or
            // pg_checkpoint; without it cases simply share the server's checkpoint schedule).
            statement.execute("CHECKPOINT");
        } catch (SQLException notAllowed) {
            // see above
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
}
