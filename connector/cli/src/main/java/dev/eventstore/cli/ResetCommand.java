package dev.eventstore.cli;

import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.StoreCounts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "reset", mixinStandardHelpOptions = true,
        description = {
            "Delete every event, stream and subscription (development only).",
            "The schema and its migration history stay. Without --force, shows what it would delete and exits 1."
        })
final class ResetCommand extends DatabaseCommand {

    @Option(names = "--force", description = "Really delete.")
    boolean force;

    @Override
    public Integer call() {
        SchemaManager manager = schemaManager();
        if (!force) {
            StoreCounts counts = manager.counts();
            throw new CommandFailedException("refusing to reset schema " + manager.schema() + " without --force;"
                    + " it would delete " + describe(counts));
        }
        StoreCounts deleted = manager.reset();
        out().printf("Reset schema %s: deleted %s.%n", manager.schema(), describe(deleted));
        AdminAudit.record(root, database.connection(environment()), manager.schema(), "reset", java.util.Map.of(
                "events", deleted.events(), "streams", deleted.streams(), "subscriptions", deleted.subscriptions()));
        return ExitCodes.OK;
    }

    static String describe(StoreCounts counts) {
        return count(counts.events(), "event", "events") + ", "
                + count(counts.streams(), "stream", "streams") + " and "
                + count(counts.subscriptions(), "subscription", "subscriptions");
    }
}
