package dev.eventstore.cli;

import dev.eventstore.admin.Replayer;
import dev.eventstore.bridge.BridgeConfig;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {
            "Move a stopped consumer group's offsets so that it replays events.",
            "To the positions recorded in PostgreSQL, to a time, to either end, or to explicit offsets.",
            "The group must have no active members. --dry-run prints the plan (partition, current offset,",
            "new offset, events to replay)."
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

        @Option(names = "--to-offset", required = true, paramLabel = "TOPIC:PARTITION=OFFSET", converter = OffsetConverter.class,
                description = "This offset of this partition (repeatable, one partition each time); only the partitions"
                        + " named move. OFFSET lies between the partition's first record still held and its end.")
        List<PartitionOffset> offsets;
    }

    /** One {@code --to-offset}: a partition of a topic and the offset to move the group to. */
    record PartitionOffset(TopicPartition partition, long offset) {
    }

    /** TOPIC:PARTITION=OFFSET, e.g. events.game:0=42; a Kafka topic name has no ':' or '='. */
    static final class OffsetConverter implements ITypeConverter<PartitionOffset> {
        private static final Pattern FORM = Pattern.compile("([a-zA-Z0-9._-]{1,249}):([0-9]{1,9})=([0-9]{1,18})");

        @Override
        public PartitionOffset convert(String value) {
            Matcher m = FORM.matcher(value);
            if (!m.matches()) {
                throw new TypeConversionException(CommandInputs.quote(value) + " is not TOPIC:PARTITION=OFFSET"
                        + " (e.g. events.game:0=42; partition and offset are numbers from 0)");
            }
            return new PartitionOffset(new TopicPartition(m.group(1), Integer.parseInt(m.group(2))), Long.parseLong(m.group(3)));
        }
    }

    @Option(names = "--category", paramLabel = "CATEGORY", description = "Only this category's topic.")
    String category;

    @Option(names = "--dry-run", description = "Print the plan; change nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print the plan (with --dry-run) or what was moved as JSON for machines.")
    boolean json;

    /** {@code replay --json}: the plan, one entry per partition moved; {@code applied} false for a dry run. */
    record JsonPlan(String group, String target, boolean applied, long events, List<JsonMove> partitions, List<String> notes) {
        static JsonPlan of(Replayer.Plan plan, boolean applied) {
            return new JsonPlan(plan.group(), targetName(plan.target()), applied, plan.replayed(), plan.moves().stream()
                    .map(m -> new JsonMove(m.partition().topic(), m.partition().partition(), m.current(), m.target(),
                            m.replayed())).toList(), plan.notes());
        }
    }

    /** A partition of {@link JsonPlan}; {@code currentOffset} is null where the group never committed. */
    record JsonMove(String topic, int partition, Long currentOffset, long newOffset, long events) {
    }

    private static String targetName(Replayer.Target target) {
        return target == Replayer.Target.OFFSETS ? "offset" : target.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public Integer call() throws Exception {
        BridgeConfig config = bridgeConfig();
        if (!dryRun) {
            // Before anything is read or planned: a replay that cannot record itself does not start.
            AdminAudit.requireRecordable(config.connection(), config.schema(), "replay");
        }
        Replayer.Target target;
        Instant time = null;
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        if (destination.offsets != null) {
            target = Replayer.Target.OFFSETS;
            for (PartitionOffset asked : destination.offsets) {
                if (offsets.put(asked.partition(), asked.offset()) != null) {
                    throw new CommandFailedException("invalid --to-offset: partition " + Replayer.name(asked.partition())
                            + " is given twice; give each partition once", ExitCodes.USAGE);
                }
            }
        } else if (destination.subscriptions) {
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
        Replayer.Plan plan;
        try {
            plan = replayer.plan(group, target, time, category, offsets);
        } catch (Replayer.BadOffsetException e) {
            throw new CommandFailedException("invalid " + e.getMessage(), ExitCodes.USAGE);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            if (!dryRun) {
                apply(replayer, plan, config, target);
            }
            Json.print(out, JsonPlan.of(plan, !dryRun));
            return ExitCodes.OK;
        }
        Table table = new Table("Partition", "Current offset", "New offset", "Events to replay");
        plan.moves().forEach(move -> table.add(move.partition(), move.current() == null ? "-" : move.current(),
                move.target(), move.replayed()));
        table.print(out);
        plan.notes().forEach(note -> out.println("Note: " + note + "."));
        if (dryRun) {
            out.printf("%nDry run: group %s would replay %,d events; nothing changed.%n", group, plan.replayed());
            return ExitCodes.OK;
        }
        apply(replayer, plan, config, target);
        out.printf("%nMoved group %s on %d partitions: its consumers replay %,d events when they next start.%n",
                group, plan.moves().size(), plan.replayed());
        return ExitCodes.OK;
    }

    private void apply(Replayer replayer, Replayer.Plan plan, BridgeConfig config, Replayer.Target target) throws Exception {
        replayer.apply(plan);
        AdminAudit.record(root, config.connection(), config.schema(), "replay", Map.of("group", group,
                "target", targetName(target), "partitions", plan.moves().size(), "events", plan.replayed()));
    }
}
