package dev.eventstore.cli;

import dev.eventstore.schema.MigrationReport;
import dev.eventstore.schema.SchemaManager;
import picocli.CommandLine.Command;

@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {
            "Apply pending migrations to the event store schema (created if missing).",
            "Safe to run from several processes at once: PostgreSQL serialises them with an advisory lock.",
            "Refuses a database migrated by newer code, and a migration edited after it was applied."
        })
final class MigrateCommand extends DatabaseCommand {

    @Override
    public Integer call() {
        SchemaManager manager = schemaManager();
        MigrationReport report = manager.migrate();
        if (report.upToDate()) {
            out().printf("Schema %s is up to date at version %s: nothing to migrate.%n",
                    manager.schema(), report.currentVersion());
        } else {
            out().printf("Applied %s to schema %s: %s. Now at version %s.%n",
                    count(report.applied().size(), "migration", "migrations"), manager.schema(),
                    String.join(", ", report.applied()), report.currentVersion());
        }
        AdminAudit.record(root, database.connection(environment()), manager.schema(), "migrate",
                java.util.Map.of("applied", report.applied(), "version", String.valueOf(report.currentVersion())));
        return ExitCodes.OK;
    }
}
