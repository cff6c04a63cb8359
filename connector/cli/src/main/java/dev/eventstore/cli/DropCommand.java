package dev.eventstore.cli;

import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaObject;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "drop", mixinStandardHelpOptions = true,
        description = {
            "Remove the event store schema and every object in it, events and migration history included.",
            "Without --force, lists what it would remove and exits 1."
        })
final class DropCommand extends DatabaseCommand {

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
        if (!force) {
            Table table = new Table("Kind", "Name");
            objects.forEach(o -> table.add(o.kind(), o.name()));
            table.print(out());
            String rows = manager.installed() ? " holding " + ResetCommand.describe(manager.counts()) : "";
            throw new CommandFailedException("refusing to drop schema " + manager.schema() + " without --force;"
                    + " it would remove the " + count(objects.size(), "object", "objects") + " listed" + rows);
        }
        // The audit log lives in the schema being dropped: this drop is logged instead.
        org.slf4j.LoggerFactory.getLogger(DropCommand.class).warn("Dropping schema {} ({} objects) as requested by {}",
                manager.schema(), objects.size(), System.getProperty("user.name"));
        manager.drop();
        out().printf("Dropped schema %s and its %s.%n", manager.schema(), count(objects.size(), "object", "objects"));
        return ExitCodes.OK;
    }
}
