package dev.eventstore.cli;

import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.KafkaClients;
import dev.eventstore.maintenance.Cleanup;
import dev.eventstore.maintenance.CleanupPlan;
import dev.eventstore.maintenance.CleanupSettings;
import dev.eventstore.maintenance.KafkaGroupDirectory;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code eventstore cleanup}: the regular maintenance job. See {@link Cleanup} for what goes
 * and what stays, and docs/operations.md for running it from cron or a systemd timer.
 */
@Command(name = "cleanup", mixinStandardHelpOptions = true,
        description = {
            "Remove what the retention settings allow, and nothing else.",
            "Subscription rows (and offset-mirror positions) of consumer groups idle longer than an age and",
            "unknown to Kafka, and stored offsets of",
            "bridges idle longer than an age whose slot no longer exists. The heartbeat is one row upserted in",
            "place: nothing to clean. With --hard-delete-streams-older-than AGE --force, also the events,",
            "subscription rows and row of every stream soft-deleted longer ago (audited in audit_log). Records",
            "already in Kafka stay there until the topic's retention. --dry-run lists exactly what would go.",
            "AGE: 90d, 12h, 30m, 45s or ISO-8601 (P90D)."
        })
final class CleanupCommand extends PipelineCommand {

    @Option(names = "--subscriptions-older-than", paramLabel = "AGE", defaultValue = "30d", converter = AgeConverter.class,
            description = "Remove a consumer group's subscription rows when none moved for longer than AGE and Kafka no"
                    + " longer knows the group (default: ${DEFAULT-VALUE}).")
    Duration subscriptionsIdle;

    @Option(names = "--offsets-older-than", paramLabel = "AGE", defaultValue = "30d", converter = AgeConverter.class,
            description = "Remove a bridge's stored offsets when not flushed for longer than AGE and its replication"
                    + " slot no longer exists (default: ${DEFAULT-VALUE}).")
    Duration offsetsIdle;

    @Option(names = "--hard-delete-streams-older-than", paramLabel = "AGE", converter = AgeConverter.class,
            description = "Also hard-delete the streams soft-deleted more than AGE ago: their events, subscription rows"
                    + " and stream row (needs --force; off by default).")
    Duration hardDeleteAfter;

    @Option(names = "--force", description = "Really hard-delete (with --hard-delete-streams-older-than).")
    boolean force;

    @Option(names = "--dry-run", description = "List what would be removed; remove nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print JSON for machines: what would be (--dry-run) or was removed, and what is kept.")
    boolean json;

    /**
     * {@code cleanup --json}: {@code plan} holds the items removed (or, in a dry run, to be
     * removed) and those kept; {@code removals} and {@code summary} are the lines the text output prints.
     */
    record JsonCleanup(String schema, boolean dryRun, List<String> removals, String summary, CleanupPlan plan, Long auditId) {
    }

    @Override
    public Integer call() throws Exception {
        BridgeConfig config = bridgeConfig();
        CleanupSettings settings;
        try {
            settings = new CleanupSettings(subscriptionsIdle, offsetsIdle, hardDeleteAfter);
        } catch (IllegalArgumentException e) {
            throw new CommandFailedException(e.getMessage(), ExitCodes.USAGE);
        }
        Cleanup cleanup = new Cleanup(config.connection().dataSource(), config.schema());
        CleanupPlan plan;
        try (Admin admin = KafkaClients.admin(config, config.name() + "-cleanup")) {
            plan = cleanup.plan(settings, new KafkaGroupDirectory(admin));
        }
        if (settings.hardDelete() && !force && !dryRun) {
            throw new CommandFailedException("refusing to hard-delete " + CleanupPlanCount.streams(plan) + " soft-deleted"
                    + " more than " + Cleanup.describe(hardDeleteAfter) + " ago (" + plan.events() + " events) without --force;"
                    + " nothing was removed (--dry-run lists them)");
        }
        PrintWriter out = spec.commandLine().getOut();
        CleanupPlan shown = plan;
        Long auditId = null;
        if (!dryRun) {
            Cleanup.Result result = cleanup.execute(plan, "cleanup", arguments());
            shown = result.removed();
            auditId = result.auditId();
        }
        if (json) {
            Json.print(out, new JsonCleanup(config.schema().value(), dryRun, shown.removals(), shown.summary(), shown, auditId));
            return ExitCodes.OK;
        }
        out.printf("Cleanup of schema %s%s%n", config.schema(), dryRun ? " (dry run: nothing is removed)" : "");
        List<String> removals = shown.removals();
        if (removals.isEmpty()) {
            out.println(dryRun ? "Nothing would be removed." : "Nothing removed.");
        } else {
            out.println(dryRun ? "Would remove:" : "Removed:");
            removals.forEach(line -> out.println("  " + line));
        }
        if (!shown.kept().isEmpty()) {
            out.println("Kept:");
            shown.keptLines().forEach(line -> out.println("  " + line));
        }
        out.printf("Heartbeat: nothing to clean (cdc_heartbeat holds %d row%s, upserted in place; last beat %s).%n",
                shown.heartbeat().rows(), shown.heartbeat().rows() == 1 ? "" : "s",
                shown.heartbeat().lastBeatAt() == null ? "never" : shown.heartbeat().lastBeatAt().toString() + " UTC");
        if (!settings.hardDelete()) {
            out.printf("Hard delete: not requested (--hard-delete-streams-older-than AGE --force); %d soft-deleted"
                    + " stream%s keep their events.%n", shown.softDeletedStreams(), shown.softDeletedStreams() == 1 ? "" : "s");
        }
        out.printf("%s %s.%n", dryRun ? "Would remove" : "Removed", shown.summary());
        if (auditId != null) {
            out.printf("Audit: row %d of %s.audit_log.%n", auditId, config.schema());
        }
        return ExitCodes.OK;
    }

    /** The command line as given, for the audit row (secrets are masked there). */
    private List<String> arguments() {
        List<String> arguments = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
        int at = arguments.indexOf("cleanup");
        return at >= 0 ? arguments.subList(at + 1, arguments.size()) : arguments;
    }

    /** "1 stream", "2 streams". */
    private static final class CleanupPlanCount {
        static String streams(CleanupPlan plan) {
            int n = plan.streams().size();
            return n + " stream" + (n == 1 ? "" : "s");
        }
    }

    /** An age: 90d, 12h, 30m, 45s, or ISO-8601 (P90D, PT12H). */
    static final class AgeConverter implements ITypeConverter<Duration> {
        private static final Pattern SHORT = Pattern.compile("(\\d+)([dhms])");

        @Override
        public Duration convert(String value) {
            Matcher m = SHORT.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "d" -> Duration.ofDays(n);
                    case "h" -> Duration.ofHours(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofSeconds(n);
                };
            }
            try {
                Duration parsed = Duration.parse(value.trim().toUpperCase(Locale.ROOT));
                if (parsed.isNegative()) {
                    throw new IllegalArgumentException("negative");
                }
                return parsed;
            } catch (DateTimeParseException | IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not an age (90d, 12h, 30m, 45s or P90D)");
            }
        }
    }
}
