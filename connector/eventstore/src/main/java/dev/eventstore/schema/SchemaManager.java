package dev.eventstore.schema;

import dev.eventstore.jdbc.PostgresErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.flywaydb.core.api.output.MigrateOutput;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Creates, inspects, resets and drops the event store schema. Migrations are Flyway SQL files
 * (see {@link MigrationSource}); Flyway runs each with {@code search_path} set to the configured
 * schema, all pending ones in one transaction, and serialises concurrent migrations with a
 * PostgreSQL advisory lock, so several processes may call {@link #migrate()} at once: one applies
 * everything pending, the others find it up to date.
 *
 * <p>The migrations directory holds two kinds of file. Versioned migrations
 * ({@code V<version>__<words>.sql}) create and change tables and run once each. Repeatable ones
 * ({@code R__<n>_<kind>_<name>.sql}) each hold the current definition of one function or view, or
 * the grants; Flyway runs them after the versioned ones, in the order of their names (functions,
 * then views, then grants), and again whenever a file's checksum changes.
 *
 * <p>Validation is strict in both directions: a migration edited after it was applied, and a
 * database migrated by newer code than this (an applied version unknown here), are refused.
 * Flyway ignores the latter by default; an older bridge silently running on a newer schema is
 * exactly what an operator needs to hear about.
 */
public final class SchemaManager {

    private final DataSource dataSource;
    private final SchemaName schema;
    private final MigrationSource source;

    public SchemaManager(DataSource dataSource, SchemaName schema, MigrationSource source) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.schema = Objects.requireNonNull(schema, "schema");
        this.source = Objects.requireNonNull(source, "source");
    }

    public SchemaName schema() {
        return schema;
    }

    public MigrationSource source() {
        return source;
    }

    private Flyway flyway() {
        return Flyway.configure(SchemaManager.class.getClassLoader())
                .dataSource(dataSource)
                .schemas(schema.value())
                .defaultSchema(schema.value())
                .createSchemas(true)
                // All pending migrations in one transaction under Flyway's advisory lock: an upgrade
                // applies whole or not at all, and of processes migrating at once exactly one applies
                // (without it, each migration is locked alone and two processes can share the list).
                .group(true)
                .locations(source.flywayLocation())
                .failOnMissingLocations(true)
                .validateMigrationNaming(true)
                // Report future migrations (applied by newer code) instead of ignoring them.
                .ignoreMigrationPatterns(new String[0])
                // Schema removal is `drop`, which lists what it removes; never Flyway's clean.
                .cleanDisabled(true)
                .load();
    }

    /** Applies pending migrations; returns what it applied (nothing when up to date). */
    public MigrationReport migrate() {
        try {
            MigrateResult result = flyway().migrate();
            List<String> applied = result.migrations.stream().map(SchemaManager::name).toList();
            String current = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
            return new MigrationReport(applied, result.initialSchemaVersion, current);
        } catch (FlywayException e) {
            throw translate("migrate", e);
        }
    }

    /** A versioned migration's version; a repeatable one's file name ({@code R__...sql}). */
    private static String name(MigrateOutput migration) {
        if (migration.version != null && !migration.version.isEmpty()) {
            return migration.version;
        }
        String path = migration.filepath == null ? "" : migration.filepath.replace('\\', '/');
        String file = path.substring(path.lastIndexOf('/') + 1);
        return file.isEmpty() ? migration.description : file;
    }

    /** Checks applied migrations against the code: checksums, and nothing unknown applied. */
    public void validate() {
        try {
            flyway().validate();
        } catch (FlywayException e) {
            throw translate("validate", e);
        }
    }

    /** Every migration known to the code or applied to the database, oldest first. */
    public List<MigrationRow> info() {
        try {
            List<MigrationRow> rows = new ArrayList<>();
            for (MigrationInfo m : flyway().info().all()) {
                MigrationVersion version = m.getVersion();
                rows.add(new MigrationRow(
                        version == null ? "" : version.getVersion(),
                        m.getDescription(),
                        m.getState().getDisplayName(),
                        m.getInstalledOn() == null ? null : m.getInstalledOn().toInstant(),
                        m.getState().isApplied()));
            }
            return rows;
        } catch (FlywayException e) {
            throw translate("read migration info", e);
        }
    }

    /** Whether the schema holds the event store's tables. */
    public boolean installed() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(SqlResource.load("schema_installed"))) {
            statement.setString(1, schema.value());
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        } catch (SQLException e) {
            throw new SchemaException(PostgresErrors.describe(e), e);
        }
    }

    /** Row counts of the three tables; the schema must be installed. */
    public StoreCounts counts() {
        requireInstalled();
        try (Connection connection = dataSource.getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(SqlResource.load("store_counts", schema))) {
            rs.next();
            return new StoreCounts(rs.getLong("events"), rs.getLong("streams"), rs.getLong("subscriptions"));
        } catch (SQLException e) {
            throw new SchemaException(PostgresErrors.describe(e), e);
        }
    }

    /**
     * Deletes every event, stream and subscription in one transaction (development only) and
     * returns what was deleted. The schema and its migration history stay.
     */
    public StoreCounts reset() {
        requireInstalled();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                StoreCounts before;
                try (Statement statement = connection.createStatement();
                     ResultSet rs = statement.executeQuery(SqlResource.load("store_counts", schema))) {
                    rs.next();
                    before = new StoreCounts(rs.getLong("events"), rs.getLong("streams"), rs.getLong("subscriptions"));
                }
                try (Statement statement = connection.createStatement()) {
                    statement.execute(SqlResource.load("reset_store", schema));
                }
                connection.commit();
                return before;
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new SchemaException("reset failed: " + PostgresErrors.describe(e), e);
        }
    }

    /** The objects {@link #drop()} would remove; empty when the schema does not exist. */
    public List<SchemaObject> objects() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(SqlResource.load("schema_objects"))) {
            statement.setString(1, schema.value());
            statement.setString(2, schema.value());
            statement.setString(3, schema.value());
            List<SchemaObject> objects = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    objects.add(new SchemaObject(rs.getString("kind"), rs.getString("name")));
                }
            }
            return objects;
        } catch (SQLException e) {
            throw new SchemaException(PostgresErrors.describe(e), e);
        }
    }

    /**
     * Removes the schema and everything in it, the migration history included. Refused for
     * {@code public}, which other applications share.
     */
    public void drop() {
        if (schema.value().equals("public")) {
            throw new SchemaException("refusing to drop schema public: it is shared with other applications;"
                    + " drop the event store's tables yourself or use a schema of its own");
        }
        try (Connection connection = dataSource.getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(SqlResource.load("drop_schema", schema));
        } catch (SQLException e) {
            throw new SchemaException("drop failed: " + PostgresErrors.describe(e), e);
        }
    }

    private void requireInstalled() {
        if (!installed()) {
            throw new SchemaException("schema " + schema + " holds no event store (run `eventstore migrate` first)");
        }
    }

    /** Flyway's multi-line reports become one line that says what to do. */
    private SchemaException translate(String action, FlywayException e) {
        if (PostgresErrors.sqlCause(e) != null && PostgresErrors.isConnectionFailure(e)) {
            return new SchemaException(PostgresErrors.describe(e), e);
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof FlywayValidateException || message.contains("Validate failed")) {
            String future = after(message, "Detected applied migration not resolved locally:");
            if (future != null) {
                return new SchemaException("the database schema is newer than this eventstore: migration "
                        + future + " is applied but unknown here; upgrade eventstore before running it against this database", e);
            }
            String edited = after(message, "Migration checksum mismatch for migration version");
            if (edited != null) {
                return new SchemaException("migration " + edited + " was edited after it was applied (checksum mismatch);"
                        + " restore the file as applied and put the change in a new migration", e);
            }
            String failed = after(message, "Detected failed migration to version");
            if (failed != null) {
                return new SchemaException("migration " + failed + " failed earlier and left the schema history marked failed;"
                        + " fix the schema by hand and remove the failed row from flyway_schema_history", e);
            }
        }
        String line = Arrays.stream(message.split("\n")).map(String::trim)
                .filter(s -> !s.isEmpty() && !s.startsWith("-")).findFirst().orElse(message);
        return new SchemaException(action + " failed: " + PostgresErrors.mask(line), e);
    }

    /** The word following {@code marker} in {@code message} (a version), or {@code null}. */
    private static String after(String message, String marker) {
        int at = message.indexOf(marker);
        if (at < 0) {
            return null;
        }
        String rest = message.substring(at + marker.length()).trim();
        String word = rest.split("[\\s(]", 2)[0];
        return word.endsWith(".") ? word.substring(0, word.length() - 1) : word;
    }
}
