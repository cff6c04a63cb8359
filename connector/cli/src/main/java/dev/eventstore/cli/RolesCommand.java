package dev.eventstore.cli;

import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import picocli.CommandLine.Command;

@Command(name = "roles", mixinStandardHelpOptions = true,
        description = {
            "Create the event store's least-privilege group roles and grant them.",
            "<schema>_reader (read), <schema>_writer (append and read through the store's functions; no",
            "INSERT, UPDATE or DELETE on any table), <schema>_cdc (the bridge; audit rows only through",
            "record_audit). Every login role already in one of them gets TimeZone = 'UTC' as its default:",
            "run it again after adding a login.",
            "For clusters where the migrating role may not create roles; run it as one that may (CREATEROLE)."
        })
final class RolesCommand extends DatabaseCommand {

    @Override
    public Integer call() {
        SchemaManager manager = schemaManager();
        if (!manager.installed()) {
            throw new CommandFailedException("schema " + manager.schema() + " holds no event store (run `eventstore migrate` first)");
        }
        SchemaName schema = manager.schema();
        try (Connection connection = database.connection(environment()).dataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(SqlResource.load("create_group_roles", schema));
        } catch (SQLException e) {
            throw new CommandFailedException("cannot create the roles: " + PostgresErrors.describe(e));
        }
        AdminAudit.record(root, database.connection(environment()), schema, "roles", java.util.Map.of());
        PrintWriter out = out();
        out.printf("Group roles %1$s_reader, %1$s_writer and %1$s_cdc exist and hold their privileges.%n", schema);
        out.printf("Give each application a login role in one of them, with a password from your secret store:%n");
        out.printf("  CREATE ROLE game_server LOGIN PASSWORD '...' IN ROLE %s_writer;%n", schema);
        out.printf("  CREATE ROLE dashboard LOGIN PASSWORD '...' IN ROLE %s_reader;%n", schema);
        out.printf("  CREATE ROLE bridge LOGIN REPLICATION PASSWORD '...' IN ROLE %s_cdc;%n", schema);
        out.printf("then run `eventstore roles` again: it sets TimeZone = 'UTC' on each of them.%n");
        out.printf("REPLICATION lets the bridge's login decode every table of the database: see docs/operations.md,"
                + " \"Roles and privileges\".%n");
        return ExitCodes.OK;
    }
}
