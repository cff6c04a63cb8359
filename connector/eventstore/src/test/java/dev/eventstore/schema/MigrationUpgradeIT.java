package dev.eventstore.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database migrated by the versioned migrations alone (the layout where every function, view
 * and grant was defined by them) upgrades to the layout with one repeatable migration per object,
 * and ends with exactly the catalog of a database migrated fresh: the same tables, indexes,
 * functions with the same definitions, views, triggers and grants.
 */
class MigrationUpgradeIT {

    private static final String UPGRADED = "upgrade_it_upgraded";
    private static final String FRESH = "upgrade_it_fresh";
    /** The last migration of the layout before the repeatable files: what older databases have. */
    private static final String LAST_VERSIONED = "20240000000012";

    private final TestDatabase database = TestDatabase.get();

    @BeforeEach
    @AfterEach
    void dropSchemas() {
        database.dropSchema(UPGRADED);
        database.dropSchema(FRESH);
    }

    private SchemaManager manager(String schema, MigrationSource source) {
        return new SchemaManager(database.dataSource(), SchemaName.of(schema), source);
    }

    @Test
    void aDatabaseOfTheVersionedMigrationsUpgradesToTheCatalogOfAFreshOne(@TempDir Path directory) throws Exception {
        List<Path> versioned = MigrationFiles.versioned().stream()
                .filter(f -> f.getFileName().toString().substring(1, 15).compareTo(LAST_VERSIONED) <= 0).toList();
        // Flyway reports a versioned migration by its version, a repeatable one by its file name.
        List<String> later = MigrationFiles.versioned().stream().map(f -> f.getFileName().toString().substring(1, 15))
                .filter(version -> version.compareTo(LAST_VERSIONED) > 0).toList();
        String newest = later.isEmpty() ? LAST_VERSIONED : later.get(later.size() - 1);
        assertThat(versioned).hasSize(13);
        for (Path file : versioned) {
            Files.copy(file, directory.resolve(file.getFileName()));
        }
        MigrationReport before = manager(UPGRADED, MigrationSource.directory(directory)).migrate();
        assertThat(before.applied()).hasSize(13).noneMatch(name -> name.startsWith("R__"));
        assertThat(before.currentVersion()).isEqualTo(LAST_VERSIONED);

        MigrationReport upgrade = manager(UPGRADED, MigrationSource.builtIn()).migrate();
        List<String> repeatable = MigrationFiles.repeatable().stream().map(f -> f.getFileName().toString()).toList();
        List<String> expected = new java.util.ArrayList<>(later);
        expected.addAll(repeatable);
        assertThat(upgrade.applied()).as("the later versioned migrations, then the repeatable ones, in their order")
                .containsExactlyElementsOf(expected);
        assertThat(upgrade.currentVersion()).isEqualTo(newest);
        manager(UPGRADED, MigrationSource.builtIn()).validate();
        assertThat(manager(UPGRADED, MigrationSource.builtIn()).migrate().upToDate()).isTrue();

        manager(FRESH, MigrationSource.builtIn()).migrate();

        try (Connection connection = database.connect()) {
            List<String> upgraded = SchemaCatalog.describeAll(connection, UPGRADED);
            List<String> fresh = SchemaCatalog.describeAll(connection, FRESH);
            // Worth comparing only if the description saw everything that matters.
            assertThat(fresh).filteredOn(l -> l.startsWith("function | ")).hasSize(21);
            assertThat(fresh).filteredOn(l -> l.startsWith("relation | ") && l.contains(" | v | ")).hasSize(6);
            assertThat(fresh).anyMatch(l -> l.startsWith("function | append_to_stream(") && l.contains("SECURITY DEFINER")
                    && l.contains("<schema>_writer=X/"));
            assertThat(fresh).anyMatch(l -> l.startsWith("relation | monitor_table_sizes | v") && l.contains("<schema>_reader=r/"));
            assertThat(fresh).anyMatch(l -> l.startsWith("trigger | events | "));
            assertThat(fresh).anyMatch(l -> l.startsWith("index | events | idx_events_data"));
            assertThat(fresh).noneMatch(l -> l.contains("grant_roles_v"));
            assertThat(upgraded).containsExactlyElementsOf(fresh);
        }
    }
}
