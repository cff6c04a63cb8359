package dev.eventstore.cli;

import dev.eventstore.admin.Replayer;
import dev.eventstore.bridge.BridgeConfig;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {
            "Move a stopped consumer group's offsets so that it replays events.",
            "To the positions recorded in PostgreSQL, to a time, or to either end. The group must have no",
            "active members. --dry-run prints the plan (partition, current offset, new offset, events to replay)."
        })
final class ReplayCommand extends PipelineCommand {

    @Option(names = "--group", required = true, paramLabel = "GROUP", description = "The consumer group (subscription id).")
    String group;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Destination destination;

    static final class Destination {
        @Option(names = "--to-subscriptions", required = true,
                description = "The positions recorded in the subscriptions table (highest recorded offset + 1;"
                        + " the beginning where none is recorded or it was read from a deleted incarnation of the topic).")
        boolean subscriptions;

        @Option(names = "--to-time", required = true, paramLabel = "TIME",
                description = "The first record at or after TIME (RFC 3339, e.g. 2026-11-27T10:00:00Z; a time"
                        + " before 1970 replays everything, one before 1900 is refused).")
        String time;

        @Option(names = "--to-earliest", required = true, description = "The beginning of each partition.")
        boolean earliest;

        @Option(names = "--to-latest", required = true, description = "The end of each partition (skip everything).")
        boolean latest;
    }

    @Option(names = "--category", paramLabel = "CATEGORY", description = "Only this category's topic.")
    String category;

    @Option(names = "--dry-run", description = "Print the plan; change nothing.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        BridgeConfig config = bridgeConfig();
        if (!dryRun) {
            // Before anything is read or planned: a replay that cannot record itself does not start.
            AdminAudit.requireRecordable(config.connection(), config.schema(), "replay");
        }
        Replayer.Target target;
        Instant time = null;
        if (destination.subscriptions) {
            target = Replayer.Target.SUBSCRIPTIONS;
        } else if (destination.earliest) {
            target = Replayer.Target.EARLIEST;
        } else if (destination.latest) {
            target = Replayer.Target.LATEST;
        } else {
            target = Replayer.Target.TIME;
            try {
                time = Instant.parse(destination.time);
            } catch (DateTimeParseException e) {
                throw new CommandFailedException("invalid --to-time '" + destination.time
                        + "': use RFC 3339 in UTC, e.g. 2026-11-27T10:00:00Z", ExitCodes.USAGE);
            }
            if (time.isBefore(Replayer.OLDEST_TIME)) {
                try {
                    Replayer.checkTime(time);
                } catch (dev.eventstore.bridge.BridgeException e) {
                    throw new CommandFailedException("invalid --to-time: " + e.getMessage(), ExitCodes.USAGE);
                }
            }
        }
        Replayer replayer = new Replayer(config);
        Replayer.Plan plan = replayer.plan(group, target, time, category);
        PrintWriter out = spec.commandLine().getOut();
        Table table = new Table("Partition", "Current offset", "New offset", "Events to replay");
        plan.moves().forEach(move -> table.add(move.partition(), move.current() == null ? "-" : move.current(),
                move.target(), move.replayed()));
        table.print(out);
        plan.notes().forEach(note -> out.println("Note: " + note + "."));
        if (dryRun) {
            out.printf("%nDry run: group %s would replay %,d events; nothing changed.%n", group, plan.replayed());
            return ExitCodes.OK;
        }
        replayer.apply(plan);
        AdminAudit.record(root, config.connection(), config.schema(), "replay", java.util.Map.of("group", group,
                "target", target.name().toLowerCase(), "partitions", plan.moves().size(), "events", plan.replayed()));
        out.printf("%nMoved group %s on %d partitions: its consumers replay %,d events when they next start.%n",
                group, plan.moves().size(), plan.replayed());
        return ExitCodes.OK;
    }
}
