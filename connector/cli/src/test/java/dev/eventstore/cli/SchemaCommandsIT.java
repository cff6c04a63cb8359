package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.StoreCounts;
import dev.eventstore.testing.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** migrate, info, reset, drop and gen-migration through the command line, on the real PostgreSQL. */
class SchemaCommandsIT {

    static final String SCHEMA = "cli_it";

    private final TestDatabase database = TestDatabase.get();
    private final Cli cli = new Cli()
            .with(ConnectionSettings.ENV_URL, database.settings().url())
            .with(ConnectionSettings.ENV_USER, database.settings().user())
            .with(DatabaseOptions.ENV_SCHEMA, SCHEMA);

    @BeforeEach
    @AfterEach
    void dropSchema() {
        database.dropSchema(SCHEMA);
    }

    private SchemaManager manager() {
        return new SchemaManager(database.dataSource(), SchemaName.of(SCHEMA), MigrationSource.builtIn());
    }

    @Test
    void migrateTwiceAppliesNothingTheSecondTime() {
        Cli.Result first = cli.run("migrate");
        assertThat(first.exitCode()).as(first.all()).isZero();
        assertThat(first.out()).startsWith("Applied ").contains("to schema cli_it: 20240000000000");

        Cli.Result second = cli.run("migrate");
        assertThat(second.exitCode()).isZero();
        assertThat(second.out()).startsWith("Schema cli_it is up to date at version ").endsWith("nothing to migrate.\n");
        assertThat(second.err()).isEmpty();
    }

    @Test
    void infoShowsPendingThenApplied() {
        Cli.Result before = cli.run("info");
        assertThat(before.exitCode()).as(before.all()).isZero();
        assertThat(before.out()).contains("Version", "State", "20240000000000", "initial setup", "Pending")
                .contains("0 migrations applied");

        cli.run("migrate");
        Cli.Result after = cli.run("info");
        assertThat(after.out()).contains("Success").doesNotContain("Pending").contains(", 0 pending.");
    }

    @Test
    void threeMigrateProcessesAtOnceMigrateOnce() {
        List<Cli.Child> processes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            processes.add(cli.start(null, "migrate"));
        }
        List<Cli.Result> results = processes.stream().map(p -> p.finish(120)).toList();
        assertThat(results).allSatisfy(r -> assertThat(r.exitCode()).as(r.all()).isZero());
        assertThat(results).filteredOn(r -> r.out().startsWith("Applied ")).hasSize(1);
        assertThat(results).filteredOn(r -> r.out().contains("up to date")).hasSize(2);
        manager().validate();
        assertThat(manager().installed()).isTrue();
    }

    @Test
    void resetRefusesWithoutForceAndShowsWhatItWouldDelete() {
        cli.run("migrate");
        database.execute(
                "INSERT INTO cli_it.event_streams (stream_id, stream_version) VALUES ('game-1', 2)",
                "INSERT INTO cli_it.events (stream_id, stream_version, event_type, data) VALUES"
                        + " ('game-1', 1, 'GameStarted', '{}'), ('game-1', 2, 'GameCompleted', '{}')");

        Cli.Result refused = cli.run("reset");
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(refused.err()).isEqualTo("eventstore: refusing to reset schema cli_it without --force;"
                + " it would delete 2 events, 1 stream and 0 subscriptions\n");
        assertThat(manager().counts()).isEqualTo(new StoreCounts(2, 1, 0));

        Cli.Result reset = cli.run("reset", "--force");
        assertThat(reset.exitCode()).as(reset.all()).isZero();
        assertThat(reset.out()).isEqualTo("Reset schema cli_it: deleted 2 events, 1 stream and 0 subscriptions.\n");
        assertThat(manager().counts()).isEqualTo(new StoreCounts(0, 0, 0));
        assertThat(manager().installed()).isTrue();
    }

    @Test
    void dropRefusesWithoutForceThenRemovesEverything() {
        cli.run("migrate");
        Cli.Result refused = cli.run("drop");
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(refused.out()).contains("table", "events", "flyway_schema_history");
        assertThat(refused.err()).startsWith("eventstore: refusing to drop schema cli_it without --force;"
                + " it would remove the ").endsWith(" holding 0 events, 0 streams and 0 subscriptions\n");
        assertThat(manager().installed()).isTrue();

        Cli.Result dropped = cli.run("drop", "--force");
        assertThat(dropped.exitCode()).as(dropped.all()).isZero();
        assertThat(dropped.out()).startsWith("Dropped schema cli_it and its ");
        assertThat(manager().objects()).isEmpty();

        Cli.Result again = cli.run("drop", "--force");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).isEqualTo("Schema cli_it has no objects: nothing to drop.\n");
    }

    @Test
    void genMigrationWritesAFileThatTheNextMigrateApplies(@TempDir Path directory) throws IOException {
        Path migrations = copyOfProjectMigrations(directory);
        cli.with(DatabaseOptions.ENV_MIGRATIONS_DIR, migrations.toString());
        assertThat(cli.run("migrate").exitCode()).isZero();

        Cli.Result generated = cli.run("gen-migration", "add_player_index");
        assertThat(generated.exitCode()).as(generated.all()).isZero();
        Path file;
        try (Stream<Path> files = Files.list(migrations)) {
            file = files.filter(p -> p.getFileName().toString().endsWith("__add_player_index.sql")).findFirst().orElseThrow();
        }
        assertThat(file.getFileName().toString()).matches("V\\d{14}__add_player_index\\.sql");
        assertThat(generated.out()).isEqualTo("Wrote " + file + "\n");
        assertThat(Files.readString(file)).startsWith("-- Migration ").contains("R__3_grants.sql");
        Files.writeString(file, "CREATE TABLE player_index (player text PRIMARY KEY);\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);

        Cli.Result migrated = cli.run("migrate");
        assertThat(migrated.exitCode()).as(migrated.all()).isZero();
        String version = file.getFileName().toString().substring(1, 15);
        assertThat(migrated.out()).startsWith("Applied 1 migration to schema cli_it: " + version);
        assertThat(manager().objects()).anyMatch(o -> o.name().equals("player_index"));
    }

    @Test
    void genMigrationRefusesANameWithOtherCharacters(@TempDir Path directory) throws IOException {
        Cli.Result refused = cli.run("gen-migration", "--migrations-dir", directory.toString(), "add-index");
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(refused.err()).startsWith("eventstore: invalid migration name 'add-index':"
                + " use 1 to 100 letters, digits and underscores");
        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files).isEmpty();
        }
    }

    /** The project's migrations/ directory, copied so that a test may add to it. */
    static Path copyOfProjectMigrations(Path into) throws IOException {
        Path source = Path.of(System.getProperty("user.dir")).resolve("../../migrations").normalize();
        Path target = Files.createDirectories(into.resolve("migrations"));
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".sql")).toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
        return target;
    }
}
