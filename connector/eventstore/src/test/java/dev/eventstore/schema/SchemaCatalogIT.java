package dev.eventstore.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.testing.TestDatabase;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The migrated schema is the specification's (docs/specification.md), column for column: the DDL of sections 1.1 and 1.2
 * (copied verbatim from the plan into {@code spec/specification-ddl.sql}) is applied to an empty
 * schema, the migrations to another, and the catalogs must be identical.
 */
class SchemaCatalogIT {

    private static final Set<String> TABLES = Set.of("event_streams", "events", "subscriptions");
    private static final String MIGRATED = "catalog_migrated";
    private static final String SPECIFIED = "catalog_specified";

    private final TestDatabase database = TestDatabase.get();

    @BeforeEach
    @AfterEach
    void dropSchemas() {
        database.dropSchema(MIGRATED);
        database.dropSchema(SPECIFIED);
    }

    @Test
    void migratedSchemaIsIdenticalToTheSpecification() throws Exception {
        new SchemaManager(database.dataSource(), SchemaName.of(MIGRATED), MigrationSource.builtIn()).migrate();

        String ddl;
        try (InputStream in = getClass().getResourceAsStream("/spec/specification-ddl.sql")) {
            ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + SPECIFIED);
            statement.execute("SET search_path TO " + SPECIFIED);
            statement.execute(ddl);
        }

        try (Connection connection = database.connect()) {
            List<String> specified = SchemaCatalog.describe(connection, SPECIFIED, TABLES);
            List<String> migrated = SchemaCatalog.describe(connection, MIGRATED, TABLES);
            // The comparison is only worth something if it saw the whole schema:
            // 21 columns, 3 primary keys, 2 foreign keys, 1 unique constraint, 10 + 4 indexes.
            assertThat(specified).filteredOn(l -> l.startsWith("column")).hasSize(21);
            assertThat(specified).filteredOn(l -> l.startsWith("constraint")).hasSize(6);
            assertThat(specified).filteredOn(l -> l.startsWith("index")).hasSize(14);
            assertThat(specified).anyMatch(l -> l.contains("idx_events_data") && l.contains("USING gin (data)"));
            assertThat(migrated).containsExactlyElementsOf(specified);
        }
    }
}
