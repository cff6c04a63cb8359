package dev.eventstore.bench;

import dev.eventstore.EventData;
import dev.eventstore.EventStore;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.RecordedEvent;
import dev.eventstore.schema.SchemaManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Does the store slow down as it fills? The same appends and reads on a schema of its own, first
 * empty, then with {@code --scale-events} events stored (ten million in full mode). The fill is
 * generated in SQL ({@code INSERT ... SELECT generate_series}) straight into the tables, every
 * index maintained, followed by {@code VACUUM (ANALYZE)} as autovacuum would run later: appending
 * ten million events through the library would take most of an hour on this machine and measure
 * nothing more.
 */
final class ScaleWorkload {

    static final String APPEND_BATCH = "scale.append.batch";
    static final String APPEND_SINGLE = "scale.append.single";
    static final String READ = "scale.read";

    private static final int EVENTS_PER_FILL_STREAM = 100;
    private static final long CHUNK = 500_000;
    private static final String READ_STREAM = "scale-read";

    private final BenchContext context;
    private volatile long sink;

    ScaleWorkload(BenchContext context) {
        this.context = context;
    }

    static int caseCount() {
        return 6;
    }

    List<ResultRow> run() {
        long stored = context.settings.scaleEvents();
        int size = context.settings.batchSize();
        int singleWriters = 8;
        String storedText = String.format(Locale.ROOT, "%,d", stored);
        String[][] workloads = {
            {APPEND_BATCH, String.format(Locale.ROOT, "append %d-event batches, 1 writer, %s stored", size, storedText)},
            {APPEND_SINGLE, String.format(Locale.ROOT, "append single events, %d writers, %s stored", singleWriters, storedText)},
            {READ, String.format(Locale.ROOT, "read a %,d-event stream, %s stored", context.settings.streamEvents(), storedText)}
        };
        SchemaManager manager = new SchemaManager(context.storePool, BenchContext.SCALE_SCHEMA, context.migrations);
        List<ResultRow> rows = new ArrayList<>();
        try {
            context.progress.phase("creating schema " + BenchContext.SCALE_SCHEMA + " for the scale workload");
            manager.drop();
            manager.migrate();
            EventStore store = EventStore.builder(context.storePool).schema(BenchContext.SCALE_SCHEMA).build();
            long version = 0;
            while (version < context.settings.streamEvents()) {
                int n = (int) Math.min(100, context.settings.streamEvents() - version);
                version = store.append(READ_STREAM, version == 0 ? ExpectedVersion.NO_STREAM : ExpectedVersion.exactly(version),
                        context.events.batch(version, n)).lastVersion();
            }
            List<ResultRow> empty = measure(store, workloads, "empty", "eventstore, empty store", ResultRow.Role.REFERENCE,
                    1, size, singleWriters);
            fill(stored);
            List<ResultRow> full = measure(store, workloads, "stored", "eventstore, " + storedText + " events stored",
                    ResultRow.Role.OURS, 2, size, singleWriters);
            for (int i = 0; i < workloads.length; i++) {
                rows.add(full.get(i));
                rows.add(empty.get(i));
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            for (String[] workload : workloads) {
                rows.add(ResultRow.failed(workload[0], workload[1], "stored", "eventstore", ResultRow.Role.OURS,
                        ResultRow.Basis.THROUGHPUT, LoadRunner.describe(e)));
            }
        } finally {
            try {
                context.progress.phase("dropping schema " + BenchContext.SCALE_SCHEMA);
                manager.drop();
            } catch (RuntimeException ignored) {
                // the next run drops it first
            }
        }
        return rows;
    }

    private List<ResultRow> measure(EventStore store, String[][] workloads, String subjectId, String subject,
                                    ResultRow.Role role, int round, int size, int singleWriters) {
        List<ResultRow> rows = new ArrayList<>();
        BenchContext.Subject batch = subject(workloads[0], subjectId, subject, role);
        rows.add(context.measure(batch, 1, null, w -> appender(store, 2000 + round * 10, w, size), null));
        BenchContext.Subject single = subject(workloads[1], subjectId, subject, role);
        rows.add(context.measure(single, singleWriters, null, w -> appender(store, 2001 + round * 10, w, 1), null));
        BenchContext.Subject read = subject(workloads[2], subjectId, subject, role);
        int events = context.settings.streamEvents();
        rows.add(context.measure(read, 1, null, w -> () -> {
            List<RecordedEvent> page = store.readStreamForward(READ_STREAM, 1, events);
            long hash = 0;
            for (RecordedEvent event : page) {
                hash += context.events.serializer().deserialize(event).hashCode();
            }
            sink += hash;
            return page.size();
        }, null));
        return rows;
    }

    private static BenchContext.Subject subject(String[] workload, String subjectId, String subject, ResultRow.Role role) {
        return new BenchContext.Subject(workload[0], workload[1], subjectId, subject, role, ResultRow.Basis.THROUGHPUT);
    }

    private LoadRunner.Operation appender(EventStore store, int caseNumber, int writer, int size) {
        String[] streams = AppendWorkloads.streams(caseNumber, writer, 1);
        long[] versions = new long[streams.length];
        long[] cursor = {writer * 1009L};
        int[] next = {0};
        return () -> {
            int j = next[0]++ % streams.length;
            List<EventData> batch = context.events.batch(cursor[0], size);
            cursor[0] += size;
            ExpectedVersion expected = versions[j] == 0 ? ExpectedVersion.NO_STREAM : ExpectedVersion.exactly(versions[j]);
            versions[j] = store.append(streams[j], expected, batch).lastVersion();
            return size;
        };
    }

    /** Generates {@code total} events in SQL, in chunks (one transaction each), then vacuums. */
    private void fill(long total) throws SQLException {
        String streams = BenchSql.in(BenchSql.FILL_STREAMS, "schema", BenchContext.SCALE_SCHEMA);
        String events = BenchSql.in(BenchSql.FILL_EVENTS, "schema", BenchContext.SCALE_SCHEMA);
        long started = System.nanoTime();
        try (Connection connection = context.storePool.getConnection()) {
            try (Statement statement = connection.createStatement()) {
                // Chunks and the vacuum may take minutes on a busy machine: no timeout for the fill.
                statement.execute("SET statement_timeout = 0");
                // The GIN indexes on data and metadata take most of the fill's time; a larger pending
                // list (this database session only) merges their entries in fewer, larger steps: about 1.7x faster
                // here, and the indexes end the same once the vacuum has flushed the list.
                statement.execute("SET gin_pending_list_limit = '64MB'");
            }
            for (long first = 0; first < total; first += CHUNK) {
                long last = Math.min(total, first + CHUNK) - 1;
                context.progress.phase(String.format(Locale.ROOT, "filling %s with generated events: %,d of %,d (%.0f s)",
                        BenchContext.SCALE_SCHEMA, first, total, (System.nanoTime() - started) / 1e9));
                connection.setAutoCommit(false);
                try (PreparedStatement statement = connection.prepareStatement(streams)) {
                    statement.setLong(1, EVENTS_PER_FILL_STREAM);
                    statement.setLong(2, first / EVENTS_PER_FILL_STREAM);
                    statement.setLong(3, last / EVENTS_PER_FILL_STREAM);
                    statement.executeUpdate();
                }
                try (PreparedStatement statement = connection.prepareStatement(events)) {
                    statement.setLong(1, EVENTS_PER_FILL_STREAM);
                    statement.setLong(2, first);
                    statement.setLong(3, last);
                    statement.executeUpdate();
                }
                connection.commit();
                connection.setAutoCommit(true);
            }
            context.progress.phase(String.format(Locale.ROOT, "vacuuming %s after the fill (%.0f s so far)",
                    BenchContext.SCALE_SCHEMA, (System.nanoTime() - started) / 1e9));
            try (Statement statement = connection.createStatement()) {
                statement.execute(BenchSql.in(BenchSql.VACUUM_EVENTS, "schema", BenchContext.SCALE_SCHEMA));
                statement.execute("RESET statement_timeout");
                statement.execute("RESET gin_pending_list_limit");
                // As each case of the other workloads starts: without the fill's dirty pages to write.
                BenchContext.checkpoint(statement);
            }
        }
    }
}
