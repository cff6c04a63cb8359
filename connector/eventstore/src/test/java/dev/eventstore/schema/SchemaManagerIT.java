package dev.eventstore.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaManagerIT {

    private static final String SCHEMA = "schema_manager_it";

    private final TestDatabase database = TestDatabase.get();

    @BeforeEach
    @AfterEach
    void dropSchema() {
        database.dropSchema(SCHEMA);
    }

    private SchemaManager manager(MigrationSource source) {
        return new SchemaManager(database.dataSource(), SchemaName.of(SCHEMA), source);
    }

    @Test
    void secondMigrateAppliesNothing() {
        SchemaManager manager = manager(MigrationSource.builtIn());
        MigrationReport first = manager.migrate();
        assertThat(first.applied()).isNotEmpty().contains("20240000000000");
        assertThat(first.initialVersion()).isNull();

        MigrationReport second = manager.migrate();
        assertThat(second.upToDate()).isTrue();
        assertThat(second.currentVersion()).isEqualTo(first.currentVersion());
        assertThat(manager.info()).allMatch(MigrationRow::applied);
    }

    @Test
    void infoListsPendingMigrationsBeforeMigrate() {
        SchemaManager manager = manager(MigrationSource.builtIn());
        List<MigrationRow> rows = manager.info();
        assertThat(rows).isNotEmpty().noneMatch(MigrationRow::applied);
        assertThat(rows).extracting(MigrationRow::state).containsOnly("Pending");
        assertThat(manager.installed()).isFalse();
    }

    @Test
    void concurrentMigrationsLeaveOneCorrectSchema() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<MigrationReport>> results = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Callable<MigrationReport> migrate = () -> manager(MigrationSource.builtIn()).migrate();
                results.add(pool.submit(migrate));
            }
            // Flyway takes its lock per migration, so two runs may share the work: what matters is
            // that every migration was applied exactly once, by one of them.
            List<String> applied = new ArrayList<>();
            for (Future<MigrationReport> result : results) {
                applied.addAll(result.get(60, TimeUnit.SECONDS).applied());
            }
            List<MigrationRow> rows = manager(MigrationSource.builtIn()).info();
            List<String> known = rows.stream().map(MigrationRow::version).filter(version -> !version.isEmpty()).toList();
            assertThat(applied).filteredOn(name -> !name.startsWith("R__")).containsExactlyInAnyOrderElementsOf(known);
            assertThat(applied).filteredOn(name -> name.startsWith("R__")).doesNotHaveDuplicates()
                    .hasSize(MigrationFiles.repeatable().size());
        } finally {
            pool.shutdownNow();
        }
        assertThat(manager(MigrationSource.builtIn()).installed()).isTrue();
        manager(MigrationSource.builtIn()).validate();
    }

    @Test
    void databaseNewerThanTheCodeIsRefused() {
        SchemaManager manager = manager(MigrationSource.builtIn());
        manager.migrate();
        database.execute("INSERT INTO " + SCHEMA + ".flyway_schema_history"
                + " (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)"
                + " VALUES (1000, '20991231000000', 'from the future', 'SQL', 'V20991231000000__from_the_future.sql',"
                + " 1, current_user, 1, true)");

        assertThatThrownBy(manager::validate)
                .isInstanceOf(SchemaException.class)
                .hasMessage("the database schema is newer than this eventstore: migration 20991231000000 is applied"
                        + " but unknown here; upgrade eventstore before running it against this database");
        assertThatThrownBy(manager::migrate).hasMessageContaining("20991231000000 is applied but unknown here");
    }

    @Test
    void migrationEditedAfterItWasAppliedIsRefused(@TempDir Path directory) throws Exception {
        Path migration = directory.resolve("V1__first.sql");
        Files.writeString(migration, "CREATE TABLE first_table (id int);\n", StandardCharsets.UTF_8);
        SchemaManager manager = manager(MigrationSource.directory(directory));
        assertThat(manager.migrate().applied()).containsExactly("1");

        Files.writeString(migration, "CREATE TABLE first_table (id bigint);\n", StandardCharsets.UTF_8);
        assertThatThrownBy(manager::migrate)
                .isInstanceOf(SchemaException.class)
                .hasMessage("migration 1 was edited after it was applied (checksum mismatch);"
                        + " restore the file as applied and put the change in a new migration");
    }

    @Test
    void missingMigrationsDirectoryIsNamed(@TempDir Path directory) {
        assertThatThrownBy(() -> MigrationSource.directory(directory.resolve("nowhere")))
                .isInstanceOf(SchemaException.class)
                .hasMessageEndingWith("nowhere does not exist");
    }

    @Test
    void resetDeletesRowsAndKeepsTheSchema() {
        SchemaManager manager = manager(MigrationSource.builtIn());
        manager.migrate();
        database.execute(
                "INSERT INTO " + SCHEMA + ".event_streams (stream_id, stream_version) VALUES ('game-1', 2)",
                "INSERT INTO " + SCHEMA + ".events (stream_id, stream_version, event_type, data) VALUES"
                        + " ('game-1', 1, 'GameStarted', '{}'), ('game-1', 2, 'GameCompleted', '{}')",
                "INSERT INTO " + SCHEMA + ".subscriptions (subscription_id, stream_id) VALUES ('leaderboard', 'game-1')");
        assertThat(manager.counts()).isEqualTo(new StoreCounts(2, 1, 1));

        assertThat(manager.reset()).isEqualTo(new StoreCounts(2, 1, 1));
        assertThat(manager.counts()).isEqualTo(new StoreCounts(0, 0, 0));
        assertThat(manager.installed()).isTrue();
        assertThat(manager.migrate().upToDate()).isTrue();
    }

    @Test
    void resetOfAnEmptyDatabaseSaysToMigrate() {
        assertThatThrownBy(manager(MigrationSource.builtIn())::reset)
                .isInstanceOf(SchemaException.class)
                .hasMessage("schema " + SCHEMA + " holds no event store (run `eventstore migrate` first)");
    }

    @Test
    void dropRemovesEveryObject() {
        SchemaManager manager = manager(MigrationSource.builtIn());
        manager.migrate();
        assertThat(manager.objects()).extracting(SchemaObject::name)
                .contains("events", "event_streams", "subscriptions", "flyway_schema_history", "events_event_id_seq");

        manager.drop();
        assertThat(manager.objects()).isEmpty();
        assertThat(manager.installed()).isFalse();
    }

    @Test
    void dropRefusesThePublicSchema() {
        SchemaManager manager = new SchemaManager(database.dataSource(), SchemaName.of("public"), MigrationSource.builtIn());
        assertThatThrownBy(manager::drop).hasMessageStartingWith("refusing to drop schema public");
    }
}
