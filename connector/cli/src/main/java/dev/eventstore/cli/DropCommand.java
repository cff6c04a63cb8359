package dev.eventstore.cli;

import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SchemaObject;
import dev.eventstore.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code eventstore drop}. Drops only a schema this product created: one whose Flyway history
 * ({@code flyway_schema_history}) records this product's first migration as applied
 * ({@value #FIRST_MIGRATION}) and which holds the tables of the event store (events,
 * event_streams, subscriptions). Any other schema is refused, named, with or without
 * {@code --force}; so is a schema the current role does not own (DROP SCHEMA needs ownership).
 * Both checks come before anything is dropped; the drop is logged (a warning) once it is done.
 */
@Command(name = "drop", mixinStandardHelpOptions = true,
        description = {
            "Remove the event store schema and every object in it, events and migration history included.",
            "Only a schema created by eventstore migrate (its Flyway history and tables) is dropped; any",
            "other is refused. Without --force, lists what it would remove and exits 1."
        })
final class DropCommand extends DatabaseCommand {

    /** The version of this product's first migration, recorded in the history of every event store. */
    static final String FIRST_MIGRATION = "20240000000000";

    @Option(names = "--force", description = "Really remove.")
    boolean force;

    @Override
    public Integer call() {
        SchemaManager manager = schemaManager();
        List<SchemaObject> objects = manager.objects();
        if (objects.isEmpty()) {
            out().printf("Schema %s has no objects: nothing to drop.%n", manager.schema());
            return ExitCodes.OK;
        }
        refuseUnlessOwnEventStore(database.connection(environment()).dataSource(), manager.schema());
        if (!force) {
            Table table = new Table("Kind", "Name");
            objects.forEach(o -> table.add(o.kind(), o.name()));
            table.print(out());
            String rows = manager.installed() ? " holding " + ResetCommand.describe(manager.counts()) : "";
            throw new CommandFailedException("refusing to drop schema " + manager.schema() + " without --force;"
                    + " it would remove the " + count(objects.size(), "object", "objects") + " listed" + rows);
        }
        manager.drop();
        // The audit log lived in the schema just dropped: the drop is logged instead, once done.
        org.slf4j.LoggerFactory.getLogger(DropCommand.class).warn("Dropped schema {} ({} objects) as requested by {}",
                manager.schema(), objects.size(), System.getProperty("user.name"));
        out().printf("Dropped schema %s and its %s.%n", manager.schema(), count(objects.size(), "object", "objects"));
        return ExitCodes.OK;
    }

    /**
     * Refuses {@code schema} unless it is an event store this product created and the current role
     * owns it (or is a member of its owner).
     */
    static void refuseUnlessOwnEventStore(DataSource dataSource, SchemaName schema) {
        if (schema.value().equals("public")) {
            throw new CommandFailedException("refusing to drop schema public: it is shared with other applications;"
                    + " drop the event store's tables yourself or use a schema of its own");
        }
        try (Connection connection = dataSource.getConnection()) {
            boolean hasHistory;
            boolean hasTables;
            try (PreparedStatement check = connection.prepareStatement(SqlResource.load("cli_drop_check"))) {
                for (int i = 1; i <= 4; i++) {
                    check.setString(i, schema.value());
                }
                try (ResultSet row = check.executeQuery()) {
                    row.next();
                    if (!row.getBoolean("schema_exists")) {
                        throw new CommandFailedException("schema " + schema + " does not exist: nothing to drop");
                    }
                    if (!row.getBoolean("owned")) {
                        throw new CommandFailedException("refusing to drop schema " + schema + ": it belongs to role "
                                + row.getString("owner") + ", and only its owner may drop it; nothing was dropped");
                    }
                    hasHistory = row.getBoolean("has_history");
                    hasTables = row.getBoolean("has_tables");
                }
            }
            boolean firstMigrationApplied = false;
            if (hasHistory) {
                try (PreparedStatement history = connection.prepareStatement(SqlResource.load("cli_drop_history", schema));
                     ResultSet rows = history.executeQuery()) {
                    while (rows.next()) {
                        firstMigrationApplied |= FIRST_MIGRATION.equals(rows.getString("version"));
                    }
                }
            }
            if (!firstMigrationApplied || !hasTables) {
                throw new CommandFailedException("refusing to drop schema " + schema + ": it is not an event store created"
                        + " by eventstore (" + (!hasHistory ? "no flyway_schema_history"
                        : !firstMigrationApplied ? "its flyway_schema_history does not record migration " + FIRST_MIGRATION
                        : "the events, event_streams and subscriptions tables are not all there")
                        + "); nothing was dropped");
            }
        } catch (SQLException e) {
            throw new CommandFailedException("cannot check schema " + schema + " before dropping it: "
                    + PostgresErrors.describe(e));
        }
    }
}
