package dev.eventstore.cli;

import dev.eventstore.schema.MigrationRow;
import dev.eventstore.schema.SchemaManager;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import picocli.CommandLine.Command;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show applied and pending migrations of the event store schema.")
final class InfoCommand extends DatabaseCommand {

    private static final DateTimeFormatter INSTALLED_ON =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    @Override
    public Integer call() {
        SchemaManager manager = schemaManager();
        List<MigrationRow> rows = manager.info();
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
