package dev.eventstore.devtools;

import dev.eventstore.EventStore;
import dev.eventstore.EventStoreConfig;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.cli.CommandFailedException;
import dev.eventstore.cli.DatabaseOptions;
import dev.eventstore.cli.EventStoreCommand;
import dev.eventstore.cli.ExitCodes;
import dev.eventstore.consumer.CheckpointingSubscriber;
import dev.eventstore.demo.Leaderboard;
import dev.eventstore.embedded.EmbeddedKafkaBroker;
import dev.eventstore.embedded.EmbeddedPostgresServer;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.MigrationReport;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.simulation.GameSimulation;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code eventstore dev}: the whole product on one machine with nothing installed but a JDK. An
 * embedded PostgreSQL (logical decoding on) and Kafka broker, the migrated event store, the
 * bridge publishing to Kafka, and a game simulation appending events, with a live status line,
 * until Ctrl-C (or {@code --duration}).
 */
@Command(name = "dev", mixinStandardHelpOptions = true,
        description = {
            "Run everything on embedded servers, for development.",
            "PostgreSQL and Kafka on free loopback ports, the migrated event store, the bridge, a game",
            "simulation appending events, and a demo consumer group keeping a leaderboard.",
            "Prints how to connect and a live status line; Ctrl-C stops everything."
        })
final class DevCommand implements Callable<Integer> {

    static final String DATABASE = "eventstore";

    @ParentCommand
    EventStoreCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "20",
            description = "Events per second the game simulation appends; 0 for none (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep PostgreSQL's and Kafka's data in DIR across runs (default: temporary, removed on exit).")
    Path dataDirectory;

    @Option(names = "--info-file", paramLabel = "PATH",
            description = "Once the bridge publishes, write the connection details as Java properties (db.url, db.user,"
                    + " db.password, kafka.bootstrap.servers, topic.prefix, schema, health.url) to PATH.")
    Path infoFile;

    @Option(names = "--duration", paramLabel = "DURATION",
            description = "Stop by itself after this long, e.g. PT10M (default: run until Ctrl-C).")
    Duration duration;

    @Option(names = "--schema", paramLabel = "SCHEMA", defaultValue = SchemaName.DEFAULT,
            description = "Schema of the event store (default: ${DEFAULT-VALUE}).")
    String schema;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = "eventstore",
            description = "Prefix of the event topics (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "0",
            description = "Port of the bridge's /health and /metrics on 127.0.0.1; 0 picks a free one (default).")
    int httpPort;

    private final CountDownLatch stopRequested = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        SchemaName schemaName = parseSchema(schema);
        if (rate < 0) {
            throw new CommandFailedException("--rate must be 0 or more", ExitCodes.USAGE);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopRequested.countDown();
            awaitQuietly(stopped, Duration.ofSeconds(60));
        }, "eventstore-dev-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("Starting embedded PostgreSQL and Kafka ...");
        out.flush();
        boolean closed = false;
        // Closed here, after the bridge's last offsets: no shutdown hook of its own stops it meanwhile.
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startClosedByCaller(subdirectory("postgres"), Map.of());
             // Topics are the bridge's to create, with its settings: never the broker's defaults
             // because a consumer subscribed first.
             EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(subdirectory("kafka"),
                     Map.of("auto.create.topics.enable", "false"))) {
            postgres.createDatabase(DATABASE);
            ConnectionSettings connection = new ConnectionSettings(postgres.jdbcUrl(DATABASE), EmbeddedPostgresServer.SUPERUSER, null);
            MigrationReport report = new SchemaManager(connection.dataSource(), schemaName, migrations()).migrate();

            EventBridge bridge = EventBridge.start(bridgeConfig(connection, schemaName, kafka.bootstrapServers()), false);
            try (EventStore store = EventStore.open(EventStoreConfig.of(connection, schemaName))) {
                bridge.ready().get(120, TimeUnit.SECONDS);
                String health = bridge.httpPort() > 0 ? "http://127.0.0.1:" + bridge.httpPort() : null;
                printReady(out, connection, schemaName, report, kafka.bootstrapServers(), health);
                if (infoFile != null) {
                    writeInfoFile(infoFile, connection, schemaName, kafka.bootstrapServers(), topicPrefix, health);
                }
                CheckpointingSubscriber leaderboard = Leaderboard.start(store, kafka.bootstrapServers(), topicPrefix + ".game");
                GameSimulation simulation = rate > 0
                        ? GameSimulation.builder(store).eventsPerSecond(rate).writers(rate > 200 ? 2 : 1).build() : null;
                Thread players = simulation == null ? null : startSimulation(simulation);
                runUntilStopped(out, simulation, bridge, leaderboard);
                out.println();
                out.println("Stopping ...");
                out.flush();
                if (simulation != null) {
                    simulation.stop();
                    players.join(30_000);
                }
                leaderboard.close();
            } finally {
                bridge.close();
            }
            closed = true;
        } finally {
            if (closed) {
                // Before the shutdown hook is released: once it returns, the JVM may end at once.
                out.println("Stopped.");
                out.flush();
            }
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is already exiting through the hook.
            }
        }
        return ExitCodes.OK;
    }

    private static SchemaName parseSchema(String value) {
        try {
            return SchemaName.of(value);
        } catch (IllegalArgumentException e) {
            throw new CommandFailedException(e.getMessage(), ExitCodes.USAGE);
        }
    }

    private Path subdirectory(String name) {
        return dataDirectory == null ? null : dataDirectory.resolve(name);
    }

    private MigrationSource migrations() {
        String directory = root.environment().get(DatabaseOptions.ENV_MIGRATIONS_DIR);
        return directory == null ? MigrationSource.builtIn() : MigrationSource.directory(Path.of(directory));
    }

    private BridgeConfig bridgeConfig(ConnectionSettings connection, SchemaName schemaName, String bootstrapServers) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(BridgeConfig.Key.DB_URL, connection.url());
        settings.put(BridgeConfig.Key.DB_USER, connection.user());
        settings.put(BridgeConfig.Key.SCHEMA, schemaName.value());
        settings.put(BridgeConfig.Key.KAFKA_BOOTSTRAP_SERVERS, bootstrapServers);
        settings.put(BridgeConfig.Key.TOPIC_PARTITIONS, 3);
        settings.put(BridgeConfig.Key.HTTP_PORT, httpPort);
        settings.put("topic.prefix", topicPrefix);
        try {
            return new BridgeConfig(settings);
        } catch (org.apache.kafka.common.config.ConfigException e) {
            throw new CommandFailedException("invalid setting: " + e.getMessage(), ExitCodes.USAGE);
        }
    }

    private void printReady(PrintWriter out, ConnectionSettings connection, SchemaName schemaName, MigrationReport report,
                            String bootstrapServers, String health) {
        out.printf("%nEvent store ready (loopback only)%n");
        out.printf("  PostgreSQL  %s  (user %s, no password)%n", connection.url(), connection.user());
        out.printf("  Schema      %s at version %s%n", schemaName, report.currentVersion());
        out.printf("  Kafka       %s  (topics %s.<category>, e.g. %s.game)%n", bootstrapServers, topicPrefix, topicPrefix);
        if (health != null) {
            out.printf("  Bridge      %s/health  %s/metrics%n", health, health);
        }
        out.printf("  Simulation  %s%n", rate > 0 ? rate + " events/s of game play" : "off (--rate 0)");
        out.printf("  Consumer    group %s keeps demo.leaderboard (SELECT * FROM demo.leaderboard ORDER BY points DESC)%n",
                Leaderboard.GROUP);
        out.printf("  Try         EVENTSTORE_DB_URL=%s EVENTSTORE_DB_USER=%s EVENTSTORE_KAFKA_BOOTSTRAP_SERVERS=%s"
                + " EVENTSTORE_TOPIC_PREFIX=%s bin/eventstore status%n", connection.url(), connection.user(), bootstrapServers,
                topicPrefix);
        out.printf("%n%s%n", duration == null ? "Press Ctrl-C to stop." : "Stopping by itself after " + duration + ".");
        out.flush();
    }

    private Thread startSimulation(GameSimulation simulation) {
        Thread thread = new Thread(() -> {
            try {
                simulation.runFor(Duration.ofDays(3650));
            } catch (RuntimeException e) {
                spec.commandLine().getErr().println("eventstore: simulation stopped: " + EventStoreCommand.describe(e));
            }
        }, "eventstore-dev-simulation");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Prints the status line each second (rewritten in place on a terminal) until asked to stop. */
    private void runUntilStopped(PrintWriter out, GameSimulation simulation, EventBridge bridge,
                                 CheckpointingSubscriber leaderboard) throws InterruptedException {
        boolean terminal = System.console() != null;
        long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        int tick = 0;
        while (System.nanoTime() < deadline) {
            long wait = Math.min(1000, Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (stopRequested.await(wait, TimeUnit.MILLISECONDS)) {
                return;
            }
            if (bridge.terminated().isCompletedExceptionally()) {
                throw new CommandFailedException("bridge stopped: " + bridge.health().failure());
            }
            long appended = simulation == null ? 0 : simulation.progress().events();
            long published = bridge.metrics().publishedCount();
            String status = String.format("appended %d  published %d  lag %d  %s  leaderboard consumed %d", appended,
                    published, Math.max(0, appended - published), bridge.health().up() ? "bridge up" : "bridge DOWN",
                    leaderboard.processedCount());
            if (terminal) {
                out.print("\r" + status + "    ");
                out.flush();
            } else if (++tick % 10 == 0) {
                out.println(status);
                out.flush();
            }
        }
    }

    /** Written to a temporary file and moved into place, so a reader never sees half of it. */
    static void writeInfoFile(Path file, ConnectionSettings connection, SchemaName schema, String bootstrapServers,
                              String topicPrefix, String health) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("db.url", connection.url());
        properties.setProperty("db.user", connection.user());
        properties.setProperty("db.password", connection.password() == null ? "" : connection.password());
        properties.setProperty("schema", schema.value());
        properties.setProperty("kafka.bootstrap.servers", bootstrapServers);
        properties.setProperty("topic.prefix", topicPrefix);
        if (health != null) {
            properties.setProperty("health.url", health + "/health");
        }
        Path absolute = file.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Path temporary = Files.createTempFile(absolute.getParent(), ".eventstore-info", ".tmp");
        try (OutputStream stream = Files.newOutputStream(temporary)) {
            properties.store(new OutputStreamWriter(stream, StandardCharsets.UTF_8), "eventstore dev");
        }
        Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void awaitQuietly(CountDownLatch latch, Duration timeout) {
        try {
            latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
