package dev.eventstore.cli;

import dev.eventstore.embedded.EmbeddedPostgresServer;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.MigrationReport;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
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
 * {@code eventstore dev}: the whole product on one machine with nothing installed but a JDK.
 * Starts an embedded PostgreSQL configured for logical decoding, migrates the event store into
 * it, prints how to connect and runs until Ctrl-C (or {@code --duration}).
 */
@Command(name = "dev", mixinStandardHelpOptions = true,
        description = {
            "Run the event store on embedded servers, for development.",
            "A real PostgreSQL in a child process, migrated, on a free loopback port.",
            "Prints the JDBC URL and runs until Ctrl-C."
        })
final class DevCommand implements Callable<Integer> {

    static final String DATABASE = "eventstore";

    @ParentCommand
    EventStoreCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep PostgreSQL's data in DIR across runs (default: a temporary directory removed on exit).")
    Path dataDirectory;

    @Option(names = "--info-file", paramLabel = "PATH",
            description = "Once ready, write the connection details as Java properties"
                    + " (db.url, db.user, db.password, schema) to PATH, for scripts and tests.")
    Path infoFile;

    @Option(names = "--duration", paramLabel = "DURATION",
            description = "Stop by itself after this long, e.g. PT10M (default: run until Ctrl-C).")
    Duration duration;

    @Option(names = "--schema", paramLabel = "SCHEMA", description = "Schema of the event store (default: ${DEFAULT-VALUE}).",
            defaultValue = SchemaName.DEFAULT)
    String schema;

    private final CountDownLatch stopRequested = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        SchemaName schemaName;
        try {
            schemaName = SchemaName.of(schema);
        } catch (IllegalArgumentException e) {
            throw new CommandFailedException(e.getMessage(), ExitCodes.USAGE);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopRequested.countDown();
            awaitQuietly(stopped, Duration.ofSeconds(30));
        }, "eventstore-dev-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("Starting embedded PostgreSQL ...");
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dataDirectory, Map.of())) {
            postgres.createDatabase(DATABASE);
            ConnectionSettings connection = new ConnectionSettings(postgres.jdbcUrl(DATABASE), EmbeddedPostgresServer.SUPERUSER, null);
            String migrationsDir = root.environment().get(DatabaseOptions.ENV_MIGRATIONS_DIR);
            MigrationSource migrations = migrationsDir == null
                    ? MigrationSource.builtIn() : MigrationSource.directory(Path.of(migrationsDir));
            SchemaManager manager = new SchemaManager(connection.dataSource(), schemaName, migrations);
            MigrationReport report = manager.migrate();

            out.printf("%nEvent store ready%n");
            out.printf("  PostgreSQL  %s  (user %s, no password; loopback only)%n", connection.url(), connection.user());
            out.printf("  Schema      %s at version %s%n", schemaName, report.currentVersion());
            out.printf("  Try         EVENTSTORE_DB_URL=%s EVENTSTORE_DB_USER=%s bin/eventstore info%n",
                    connection.url(), connection.user());
            out.printf("%n%s%n", duration == null ? "Press Ctrl-C to stop." : "Stopping by itself after " + duration + ".");
            out.flush();
            if (infoFile != null) {
                writeInfoFile(infoFile, connection, schemaName);
            }
            awaitStop();
            out.println("Stopping ...");
        } finally {
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is already exiting through the hook.
            }
        }
        out.println("Stopped.");
        return ExitCodes.OK;
    }

    private void awaitStop() throws InterruptedException {
        if (duration == null) {
            stopRequested.await();
        } else {
            stopRequested.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Written to a temporary file and moved into place, so a reader never sees half of it. */
    static void writeInfoFile(Path file, ConnectionSettings connection, SchemaName schema) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("db.url", connection.url());
        properties.setProperty("db.user", connection.user());
        properties.setProperty("db.password", connection.password() == null ? "" : connection.password());
        properties.setProperty("schema", schema.value());
        Path absolute = file.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Path temporary = Files.createTempFile(absolute.getParent(), ".eventstore-info", ".tmp");
        try (OutputStream stream = Files.newOutputStream(temporary)) {
            properties.store(new java.io.OutputStreamWriter(stream, StandardCharsets.UTF_8), "eventstore dev");
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
