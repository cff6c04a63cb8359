package dev.eventstore.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.eventstore.EventStore;
import dev.eventstore.cli.Progress;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One run of the benchmark: starts (or connects to) the servers, creates the store, its raw copy
 * and message-db, runs the chosen workloads in order, cleans up, and returns the report.
 */
final class BenchRun {

    private static final int EVENT_POOL_SIZE = 4096;
    private static final long EVENT_POOL_SEED = 20_240_601L;

    private BenchRun() {
    }

    static BenchReport execute(BenchSettings settings, ConnectionSettings database, String bootstrapServers,
                               MigrationSource migrations, String commandLine, Progress progress) throws Exception {
        Instant date = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        double loadAtStart = loadAverage();
        List<ResultRow> rows = new ArrayList<>();
        Map<String, String> facts = new LinkedHashMap<>();
        try (BenchServers servers = BenchServers.start(database, bootstrapServers, progress);
             HikariDataSource storePool = BenchServers.pool("store", servers.store(), settings.maxWriters() + 2, null)) {
            Map<String, String> server = servers.serverSettings();
            progress.phase("creating schemas " + BenchContext.STORE_SCHEMA + " (migrated) and " + BenchContext.RAW_SCHEMA
                    + " (the raw copy)");
            SchemaManager manager = new SchemaManager(storePool, BenchContext.STORE_SCHEMA, migrations);
            manager.drop();
            manager.migrate();
            RawCopy raw = new RawCopy(storePool, BenchContext.STORE_SCHEMA, BenchContext.RAW_SCHEMA);
            List<String> indexes = raw.create();
            MessageDb messageDb = settings.peers()
                    ? MessageDb.install(servers, settings.messageDbVersion(), settings.maxWriters() + 2, progress)
                    : MessageDb.unavailable("not run: pass --peers to install message-db from npm");
            try (messageDb) {
                boolean peers = messageDb.available();
                progress.total(caseCount(settings, peers));
                EventPool events = new EventPool(EVENT_POOL_SIZE, EVENT_POOL_SEED);
                EventStore store = EventStore.builder(storePool).schema(BenchContext.STORE_SCHEMA).build();
                BenchContext context = new BenchContext(settings, servers, storePool, store, raw, messageDb, events,
                        progress, migrations);
                if (settings.suite().includes(BenchSettings.Suite.APPEND)) {
                    rows.addAll(new AppendWorkloads(context).run());
                }
                if (settings.suite().includes(BenchSettings.Suite.READ)) {
                    rows.addAll(new ReadWorkloads(context).run());
                }
                if (settings.suite().includes(BenchSettings.Suite.PIPELINE)) {
                    rows.addAll(new PipelineWorkloads(context).run());
                    rows.addAll(new ProcessWorkloads(context).run());
                }
                if (settings.suite().includes(BenchSettings.Suite.REPLAY)) {
                    rows.addAll(new ReplayWorkloads(context).run());
                    rows.addAll(new RepublishWorkload(context).run());
                }
                if (settings.suite().includes(BenchSettings.Suite.IDLE)) {
                    rows.addAll(new IdleWorkloads(context).run());
                }
                if (settings.scaleEvents() > 0 && settings.suite() != BenchSettings.Suite.PIPELINE
                        && settings.suite() != BenchSettings.Suite.REPLAY && settings.suite() != BenchSettings.Suite.IDLE) {
                    rows.addAll(new ScaleWorkload(context).run());
                }
                facts.putAll(facts(settings, servers, server, messageDb, events, indexes, date, loadAtStart));
            } finally {
                progress.phase("cleaning up");
                if (!servers.embeddedPostgres()) {
                    raw.drop();
                    manager.drop();
                    if (messageDb.available()) {
                        messageDb.close();
                        servers.dropDatabase(BenchServers.MESSAGE_DB_DATABASE);
                    }
                }
            }
        }
        facts.put("load average", String.format(Locale.ROOT, "%.2f at the start, %.2f at the end (1 minute; %d cores)",
                loadAtStart, loadAverage(), Runtime.getRuntime().availableProcessors()));
        facts.put("run time", Progress.minutes(progress.elapsed().toNanos()) + " (minutes:seconds)");
        List<ResultRow> withRatios = BenchReport.withRatios(rows);
        List<Goal> goals = Goals.evaluate(withRatios,
                new Goals.RunFacts(settings, progress.elapsed(), Runtime.getRuntime().maxMemory()));
        return new BenchReport(commandLine, facts, rows, goals);
    }

    static int caseCount(BenchSettings settings, boolean peers) {
        int cases = 0;
        if (settings.suite().includes(BenchSettings.Suite.APPEND)) {
            cases += AppendWorkloads.caseCount(settings, peers);
        }
        if (settings.suite().includes(BenchSettings.Suite.READ)) {
            cases += ReadWorkloads.caseCount(peers);
        }
        if (settings.suite().includes(BenchSettings.Suite.PIPELINE)) {
            cases += PipelineWorkloads.caseCount(settings) + ProcessWorkloads.caseCount(settings);
        }
        if (settings.suite().includes(BenchSettings.Suite.REPLAY)) {
            cases += ReplayWorkloads.caseCount() + RepublishWorkload.caseCount();
        }
        if (settings.suite().includes(BenchSettings.Suite.IDLE)) {
            cases += IdleWorkloads.caseCount(settings);
        }
        if (settings.scaleEvents() > 0 && settings.suite() != BenchSettings.Suite.PIPELINE
                && settings.suite() != BenchSettings.Suite.REPLAY && settings.suite() != BenchSettings.Suite.IDLE) {
            cases += ScaleWorkload.caseCount();
        }
        return cases;
    }

    private static Map<String, String> facts(BenchSettings settings, BenchServers servers, Map<String, String> server,
                                             MessageDb messageDb, EventPool events, List<String> indexes, Instant date,
                                             double loadAtStart) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("date", date.toString());
        facts.put("sizes", settings.describe());
        facts.put("machine", String.format(Locale.ROOT, "%d cores, %s memory; %s", Runtime.getRuntime().availableProcessors(),
                memory(), disk()));
        facts.put("java", String.format(Locale.ROOT, "%s (%s), max heap %d MiB", System.getProperty("java.version"),
                System.getProperty("java.vm.name"), Runtime.getRuntime().maxMemory() / (1024 * 1024)));
        facts.put("postgresql", String.format(Locale.ROOT, "%s (%s), fsync=%s, synchronous_commit=%s, full_page_writes=%s,"
                        + " shared_buffers=%s, max_wal_size=%s, wal_level=%s",
                server.get("server_version"), servers.embeddedPostgres() ? "embedded, loopback" : "given by --db-url",
                server.get("fsync"), server.get("synchronous_commit"), server.get("full_page_writes"),
                server.get("shared_buffers"), server.get("max_wal_size"), server.get("wal_level")));
        facts.put("kafka", org.apache.kafka.common.utils.AppInfoParser.getVersion()
                + (servers.embeddedKafka() ? " (embedded broker in this JVM, loopback, KRaft)" : " (given by --kafka-bootstrap-servers)"));
        facts.put("debezium", io.debezium.connector.postgresql.Module.version() + " (embedded engine, pgoutput)");
        facts.put("message-db", messageDb.available()
                ? messageDb.version() + " (npm " + MessageDb.PACKAGE + "@" + settings.messageDbVersion() + ", database "
                        + BenchServers.MESSAGE_DB_DATABASE + " on the same server)"
                : messageDb.unavailableReason());
        facts.put("events", String.format(Locale.ROOT,
                "game events from the simulation's scripts (%d types), data %.0f B and metadata %.0f B of JSON on average",
                events.typeCount(), events.averageDataBytes(), events.averageMetadataBytes()));
        facts.put("raw ceiling", String.format(Locale.ROOT, "schema %s: the store's tables copied (LIKE ... INCLUDING ALL,"
                        + " foreign key added), the same %d indexes on events; no functions, trigger or publication",
                BenchContext.RAW_SCHEMA, indexes.size()));
        return facts;
    }

    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static String memory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format(Locale.ROOT, "%.1f GiB", kib / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: unknown
        }
        return "unknown";
    }

    private static String disk() {
        try {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            FileStore store = Files.getFileStore(tmp);
            return String.format(Locale.ROOT, "%s on %s (%s), %.0f GiB, %.0f GiB free", tmp, store.name(), store.type(),
                    store.getTotalSpace() / 1073741824.0, store.getUsableSpace() / 1073741824.0);
        } catch (IOException | RuntimeException e) {
            return "disk unknown";
        }
    }
}
