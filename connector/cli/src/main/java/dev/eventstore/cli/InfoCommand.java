package dev.eventstore.cli;

import dev.eventstore.schema.MigrationRow;
import dev.eventstore.schema.SchemaManager;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show applied and pending migrations of the event store schema.")
final class InfoCommand extends DatabaseCommand {

    private static final DateTimeFormatter INSTALLED_ON =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    @Option(names = "--json", description = "Print JSON for machines.")
    boolean json;

    /** {@code info --json}: the schema, where its migrations come from, and each migration's row. */
    record JsonInfo(String schema, String source, long applied, long pending, List<MigrationRow> migrations) {
    }

    @Override
    public Integer call() {
        SchemaManager manager = schemaManager();
        List<MigrationRow> rows = manager.info();
        if (json) {
            long applied = rows.stream().filter(MigrationRow::applied).count();
            Json.print(out(), new JsonInfo(manager.schema().value(), manager.source().description(), applied,
                    rows.size() - applied, rows));
            return ExitCodes.OK;
        }
        out().printf("Schema %s, %s%n%n", manager.schema(), manager.source().description());
        Table table = new Table("Version", "Description", "State", "Installed on (UTC)");
        for (MigrationRow row : rows) {
            table.add(row.version(), row.description(), row.state(),
                    row.installedOn() == null ? "" : INSTALLED_ON.format(row.installedOn()));
        }
        table.print(out());
        long pending = rows.stream().filter(r -> !r.applied()).count();
        out().printf("%n%s applied, %s.%n", count(rows.size() - pending, "migration", "migrations"),
                count(pending, "pending", "pending"));
        return ExitCodes.OK;
    }
}
