package dev.eventstore.bench;

import dev.eventstore.cli.CommandFailedException;
import dev.eventstore.cli.DatabaseOptions;
import dev.eventstore.cli.EventStoreCommand;
import dev.eventstore.cli.ExitCodes;
import dev.eventstore.cli.Progress;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.MigrationSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code eventstore bench}: the event store measured side by side with the ceiling (the same
 * work done directly on the same server) and with peers (message-db, Debezium's defaults, and
 * Debezium's connector on a Kafka Connect worker with its EventRouter and with the product's own
 * transform), in one run, on the same server and data. Prints one table (or JSON) and the
 * product's speed goals judged on it; the progress goes to stderr. See BENCHMARKS.md.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Benchmark the event store beside the raw-SQL ceiling and its peers, in one",
            "run, on the same servers and data: appends, reads, and the pipeline from",
            "PostgreSQL to Kafka. Prints a table (or --json) and the product's speed",
            "goals judged on it; progress goes to stderr.",
            "Starts an embedded PostgreSQL (fsync=off) and Kafka broker unless --db-url",
            "and --kafka-bootstrap-servers name others. It uses schemas bench_store,",
            "bench_raw and bench_scale and database " + BenchServers.MESSAGE_DB_DATABASE + ",",
            "replaced at the start of each run and dropped at the end.",
            ""
        },
        footer = {"",
            "Suites: append (batches, single events, contention), read (a whole stream,",
            "a catch-up in pages), pipeline (commit-to-consumer latency at set rates,",
            "backlog drain, read your writes: awaitPublished and awaitConsumed after",
            "appends at 1,000 events/s and from many callers at once), replay (events",
            "read back from Kafka into typed events by one consumer and by one per core,",
            "and republished from PostgreSQL), idle (at poll intervals of 1, 5 and",
            "10 ms: the bridge's latency at the pipeline rates and for single events",
            "about 2 s apart, and eventstore run's CPU with no traffic; not part of all),",
            "all.",
            "--full adds the 1,000,000-event drain and the",
            "10,000,000-event scale workload (with append, read or all).",
            "Exit codes: 0 every row ran or was not asked for, 1 a row failed,",
            "2 wrong command line."})
public final class BenchCommand implements Callable<Integer> {

    @ParentCommand
    EventStoreCommand root;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SUITE", description = "append, read, pipeline, replay, idle or all.")
    BenchSettings.Suite suite;

    @Option(names = "--quick", description = "Every workload briefly, for CI: it must run; its figures mean little.")
    boolean quick;

    @Option(names = "--full", description = "Default durations, plus the 1,000,000-event drain and the 10,000,000-event scale workload.")
    boolean full;

    @Option(names = "--json", description = "Print the report as JSON instead of the table.")
    boolean json;

    @Option(names = "--peers", description = "Install message-db (npm @eventide/message-db, its install.sh runs psql) into"
            + " its own database on the same server and measure it beside ours. Without it, its rows say not run.")
    boolean peers;

    @Option(names = "--db-url", paramLabel = "URL", description = "Run on this PostgreSQL (wal_level=logical for the"
            + " pipeline; the role needs CREATE, REPLICATION and CREATEDB for --peers) instead of an embedded one.")
    String dbUrl;

    @Option(names = "--db-user", paramLabel = "USER", description = "Role for --db-url (env: EVENTSTORE_DB_USER).")
    String dbUser;

    @Option(names = "--db-password", paramLabel = "PASSWORD",
            description = "Its password (env: EVENTSTORE_DB_PASSWORD, preferred: a command line is visible to others).")
    String dbPassword;

    @Option(names = "--kafka-bootstrap-servers", paramLabel = "HOST:PORT",
            description = "Run the pipeline on these brokers instead of an embedded one.")
    String kafkaBootstrapServers;

    @Option(names = "--warmup", paramLabel = "DURATION", description = "Unmeasured time before each case (default PT2S; quick PT0.2S).")
    Duration warmup;

    @Option(names = "--duration", paramLabel = "DURATION", description = "Measured time of each case (default PT8S; quick PT0.5S; full PT12S).")
    Duration duration;

    @Option(names = "--pipeline-warmup", paramLabel = "DURATION", description = "Unmeasured time at each pipeline rate (default PT3S).")
    Duration pipelineWarmup;

    @Option(names = "--pipeline-duration", paramLabel = "DURATION", description = "Measured time at each pipeline rate (default PT15S; quick PT1S).")
    Duration pipelineDuration;

    @Option(names = "--pipeline-burst", paramLabel = "N", description = "Events pushed through each pipeline variant,"
            + " unmeasured, before it is measured: its JIT warm-up (default 30000; quick 2000).")
    Integer pipelineBurst;

    @Option(names = "--batch-size", paramLabel = "N", description = "Events per append in the batch workloads (default 100).")
    Integer batchSize;

    @Option(names = "--batch-writers", paramLabel = "N,N", split = ",", description = "Writer counts of the batch workloads (default 1,8).")
    List<Integer> batchWriters;

    @Option(names = "--single-writers", paramLabel = "N,N", split = ",", description = "Writer counts of the single-event workloads (default 1,8,16).")
    List<Integer> singleWriters;

    @Option(names = "--contention-writers", paramLabel = "N", description = "Writers of the contention workload (default 8).")
    Integer contentionWriters;

    @Option(names = "--hot-streams", paramLabel = "N", description = "Streams they share (default 10).")
    Integer hotStreams;

    @Option(names = "--stream-events", paramLabel = "N", description = "Events of the stream read whole (default 1000).")
    Integer streamEvents;

    @Option(names = "--catch-up-events", paramLabel = "N", description = "Events of the stream caught up with (default 100000; quick 5000).")
    Integer catchUpEvents;

    @Option(names = "--page-size", paramLabel = "N", description = "Events per page of the catch-up (default 1000).")
    Integer pageSize;

    @Option(names = "--pipeline-rates", paramLabel = "N,N", split = ",", description = "Events per second of the pipeline latency workloads (default 1000,5000).")
    List<Integer> pipelineRates;

    @Option(names = "--drain-events", paramLabel = "N,N", split = ",", description = "Backlog sizes to drain (default 100000; full 100000,1000000; quick 5000).")
    List<Integer> drainEvents;

    @Option(names = "--ryw-duration", paramLabel = "DURATION", description = "Measured time of the read-your-writes"
            + " workload, appending at 1,000 events/s (default PT20S; quick PT2S).")
    Duration rywDuration;

    @Option(names = "--waiters", paramLabel = "N", description = "Callers waiting at once in the concurrent-waiters workload (default 1000; quick 200).")
    Integer waiters;

    @Option(names = "--replay-events", paramLabel = "N", description = "Events read back from Kafka by the replay workload (default 1000000; quick 20000).")
    Integer replayEvents;

    @Option(names = "--republish-events", paramLabel = "N", description = "Events the republish workload stores and publishes again (default 1000000; quick 5000).")
    Integer republishEvents;

    @Option(names = "--scale-events", paramLabel = "N", description = "Events stored for the scale workload; 0 skips it (default 0; full 10000000).")
    Long scaleEvents;

    @Option(names = "--max-operations", paramLabel = "N", description = "Most calls a writer makes in one case, whatever the duration (default 10000000).")
    Long maxOperations;

    @Option(names = "--bridge-setting", paramLabel = "KEY=VALUE", description = "A setting of our bridge in the pipeline"
            + " workloads (keys as in config/eventstore.properties, e.g. producer.linger.ms=5); repeatable.")
    java.util.Map<String, String> bridgeSettings;

    @Option(names = "--message-db-version", paramLabel = "VERSION", description = "npm version of @eventide/message-db for --peers (default " + BenchSettings.MESSAGE_DB_VERSION + ").")
    String messageDbVersion;

    @Override
    public Integer call() throws Exception {
        BenchSettings settings = settings();
        ConnectionSettings database = database();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BenchReport report;
        quietThirdPartyLogs();
        try (Progress progress = new Progress(err, System.console() != null, BenchRun.caseCount(settings, settings.peers()))) {
            report = BenchRun.execute(settings, database, kafkaBootstrapServers, migrations(), commandLine(), progress);
        }
        out.print(json ? ReportRenderer.json(report) : ReportRenderer.text(report));
        out.flush();
        long failed = report.failures();
        if (failed > 0) {
            throw new CommandFailedException(failed + (failed == 1 ? " row" : " rows") + " of the benchmark failed: see the table");
        }
        return ExitCodes.OK;
    }

    /**
     * Loggers that report, at WARN or ERROR, what the benchmark does on purpose: closing engines
     * mid-poll, dropping its own slots on stop. Left as they are with --verbose.
     */
    private static void quietThirdPartyLogs() {
        if (!(org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root)
                || root.getLevel() == null || root.getLevel().toInt() < ch.qos.logback.classic.Level.WARN_INT) {
            return;
        }
        java.util.Map<String, ch.qos.logback.classic.Level> levels = java.util.Map.of(
                // "Failed to fetch offsets ... InterruptedException" with a stack trace, when an engine closes.
                "org.apache.kafka.connect.storage.OffsetStorageReaderImpl", ch.qos.logback.classic.Level.OFF,
                // Warnings about slots the benchmark's engines keep or drop for one measurement.
                "io.debezium.connector.postgresql.PostgresConnectorTask", ch.qos.logback.classic.Level.ERROR,
                // "Offset mirror pass failed: InterruptedException" when a bridge closes.
                "dev.eventstore.bridge.OffsetMirror", ch.qos.logback.classic.Level.ERROR,
                // "queue is full", hundreds of times, with Debezium's 500 ms poll (the defaults variant).
                "io.debezium.metrics.stats.MeasurementCollector", ch.qos.logback.classic.Level.ERROR,
                // "Found a not connector specific implementation ..." at every engine start.
                "io.debezium.snapshot", ch.qos.logback.classic.Level.ERROR);
        levels.forEach((name, level) -> {
            if (org.slf4j.LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
                logger.setLevel(level);
            }
        });
    }

    /** The profile's settings with the command line's overrides, checked. */
    BenchSettings settings() {
        if (quick && full) {
            throw new CommandFailedException("--quick and --full exclude each other", ExitCodes.USAGE);
        }
        BenchSettings.Profile profile = quick ? BenchSettings.Profile.QUICK
                : full ? BenchSettings.Profile.FULL : BenchSettings.Profile.DEFAULT;
        BenchSettings d = BenchSettings.defaults(suite, profile);
        BenchSettings settings = new BenchSettings(suite, profile, peers,
                positive("--warmup", warmup, d.warmup(), true),
                positive("--duration", duration, d.duration(), false),
                positive("--pipeline-warmup", pipelineWarmup, d.pipelineWarmup(), true),
                positive("--pipeline-duration", pipelineDuration, d.pipelineDuration(), false),
                atLeast("--pipeline-burst", pipelineBurst, d.pipelineBurstEvents(), 1),
                atLeast("--batch-size", batchSize, d.batchSize(), 1),
                list("--batch-writers", batchWriters, d.batchWriters(), 1, 256),
                list("--single-writers", singleWriters, d.singleWriters(), 1, 256),
                atLeast("--contention-writers", contentionWriters, d.contentionWriters(), 1),
                atLeast("--hot-streams", hotStreams, d.hotStreams(), 1),
                atLeast("--stream-events", streamEvents, d.streamEvents(), 1),
                atLeast("--catch-up-events", catchUpEvents, d.catchUpEvents(), 1),
                atLeast("--page-size", pageSize, d.pageSize(), 1),
                list("--pipeline-rates", pipelineRates, d.pipelineRates(), 1, 100_000),
                list("--drain-events", drainEvents, d.drainEvents(), 1, 100_000_000),
                atLeast("--replay-events", replayEvents, d.replayEvents(), 1),
                atLeast("--republish-events", republishEvents, d.republishEvents(), 1),
                scaleEvents == null ? d.scaleEvents() : atLeastLong("--scale-events", scaleEvents, 0),
                maxOperations == null ? d.maxOperations() : atLeastLong("--max-operations", maxOperations, 1),
                messageDbVersion == null ? d.messageDbVersion() : version(messageDbVersion),
                bridgeSettings(bridgeSettings),
                positive("--ryw-duration", rywDuration, d.readYourWritesDuration(), false),
                atLeast("--waiters", waiters, d.waiters(), 1));
        if (settings.waiters() > 10_000) {
            throw new CommandFailedException("--waiters must be at most 10000: each is a thread", ExitCodes.USAGE);
        }
        if (settings.maxWriters() > 190) {
            throw new CommandFailedException("at most 190 writers: each holds a connection", ExitCodes.USAGE);
        }
        return settings;
    }

    private static Duration positive(String option, Duration value, Duration fallback, boolean zeroAllowed) {
        Duration d = value == null ? fallback : value;
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw new CommandFailedException(option + " must be " + (zeroAllowed ? "0 or more" : "positive"), ExitCodes.USAGE);
        }
        if (d.compareTo(Duration.ofHours(1)) > 0) {
            throw new CommandFailedException(option + " must be at most an hour", ExitCodes.USAGE);
        }
        return d;
    }

    private static int atLeast(String option, Integer value, int fallback, int min) {
        int v = value == null ? fallback : value;
        if (v < min) {
            throw new CommandFailedException(option + " must be " + min + " or more", ExitCodes.USAGE);
        }
        return v;
    }

    private static long atLeastLong(String option, long value, long min) {
        if (value < min) {
            throw new CommandFailedException(option + " must be " + min + " or more", ExitCodes.USAGE);
        }
        return value;
    }

    private static List<Integer> list(String option, List<Integer> values, List<Integer> fallback, int min, int max) {
        List<Integer> list = values == null || values.isEmpty() ? fallback : values;
        for (int v : list) {
            if (v < min || v > max) {
                throw new CommandFailedException(option + " values must be " + min + " to " + max, ExitCodes.USAGE);
            }
        }
        return list;
    }

    /** Checked against the bridge's configuration definition, so that a typo is a usage error, not a failed row. */
    private static java.util.Map<String, String> bridgeSettings(java.util.Map<String, String> settings) {
        if (settings == null || settings.isEmpty()) {
            return java.util.Map.of();
        }
        for (String key : settings.keySet()) {
            if (!dev.eventstore.bridge.BridgeConfig.CONFIG_DEF.names().contains(key)) {
                throw new CommandFailedException("--bridge-setting: unknown bridge setting " + key, ExitCodes.USAGE);
            }
        }
        java.util.Map<String, Object> probe = new java.util.HashMap<>(settings);
        probe.putIfAbsent(dev.eventstore.bridge.BridgeConfig.Key.DB_URL, "jdbc:postgresql://localhost/x");
        probe.putIfAbsent(dev.eventstore.bridge.BridgeConfig.Key.DB_USER, "x");
        probe.putIfAbsent(dev.eventstore.bridge.BridgeConfig.Key.KAFKA_BOOTSTRAP_SERVERS, "localhost:9092");
        try {
            new dev.eventstore.bridge.BridgeConfig(probe);
        } catch (org.apache.kafka.common.config.ConfigException e) {
            throw new CommandFailedException("--bridge-setting: " + e.getMessage(), ExitCodes.USAGE);
        }
        return settings;
    }

    private static String version(String value) {
        if (!value.matches("[0-9A-Za-z.\\-]+")) {
            throw new CommandFailedException("--message-db-version must be an npm version, e.g. 1.3.1", ExitCodes.USAGE);
        }
        return value;
    }

    /** The given PostgreSQL, or {@code null} for an embedded one; user and password fall back to the environment. */
    ConnectionSettings database() {
        if (dbUrl == null) {
            if (dbUser != null || dbPassword != null) {
                throw new CommandFailedException("--db-user and --db-password need --db-url", ExitCodes.USAGE);
            }
            return null;
        }
        var env = root.environment();
        try {
            return new ConnectionSettings(dbUrl, env.orElse(dbUser, ConnectionSettings.ENV_USER),
                    env.orElse(dbPassword, ConnectionSettings.ENV_PASSWORD));
        } catch (IllegalArgumentException e) {
            throw new CommandFailedException(e.getMessage(), ExitCodes.USAGE);
        }
    }

    private MigrationSource migrations() {
        String directory = root.environment().get(DatabaseOptions.ENV_MIGRATIONS_DIR);
        return directory == null ? MigrationSource.builtIn() : MigrationSource.directory(Path.of(directory));
    }

    /** The command line as given, the password hidden. */
    private String commandLine() {
        List<String> args = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--db-password") && i + 1 < args.size()) {
                args.set(i + 1, "***");
            } else if (arg.startsWith("--db-password=")) {
                args.set(i, "--db-password=***");
            }
        }
        return String.join(" ", args);
    }
}
