package dev.eventstore.cli;

import dev.eventstore.admin.Verifier;
import dev.eventstore.bridge.BridgeConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {
            "Check Kafka against PostgreSQL: every stored event in its topic, each stream's versions in order.",
            "Reports missing, duplicated, out-of-order and unknown records. Safe on a live system: events the",
            "bridge has not yet had time to publish are not called missing.",
            "Exits 0 when Kafka holds every stored event in order, 1 on missing or out-of-order events,",
            "3 when it could not check: PostgreSQL or Kafka unreachable, no such category, or events not",
            "yet published (not conclusive)."
        })
final class VerifyCommand extends PipelineCommand {

    @Option(names = "--category", paramLabel = "CATEGORY", description = "Only this category.")
    String category;

    @Option(names = "--slot", paramLabel = "SLOT",
            description = "Replication slot that publishes the events (default: the bridge's, slot.name).")
    String slot;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "PT30S",
            description = "How long to wait for the bridge to catch up when Kafka lacks events (default: ${DEFAULT-VALUE}).")
    Duration wait;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT30M",
            description = "Longest time to read Kafka (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", description = "Print the report as JSON for machines (the exit codes are the same).")
    boolean json;

    @Override
    public Integer call() {
        Verifier.Report report;
        try {
            BridgeConfig config = bridgeConfig();
            report = new Verifier(config).verify(category, slot != null ? slot : config.slotName(), wait, timeout);
        } catch (CommandFailedException e) {
            if (e.exitCode() == ExitCodes.USAGE) {
                throw e;
            }
            throw new CommandFailedException("verify could not check: " + e.getMessage(), ExitCodes.NOT_CHECKED, e);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new CommandFailedException("verify could not check: " + EventStoreCommand.describe(e), ExitCodes.NOT_CHECKED, e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json.print(out, new JsonReport(report.failed() ? "failed" : report.notYetPublished() > 0 ? "not-conclusive" : "ok",
                    category, report));
            return exit(report);
        }
        out.printf("Checked %,d stored events in %,d streams against %,d records in %d topics%s.%n", report.storedEvents(),
                report.streams(), report.records(), report.topics().size(), category == null ? "" : " (category " + category + ")");
        line(out, "missing", report.missing(), report.missingExamples());
        line(out, "out of order", report.outOfOrder(), report.outOfOrderExamples());
        line(out, "duplicated", report.duplicated(), report.duplicatedExamples());
        line(out, "unknown", report.unknown(), report.unknownExamples());
        if (report.deadLettered() > 0) {
            line(out, "dead-lettered", report.deadLettered(), report.deadLetteredExamples());
            out.printf("Note: %,d events are not in their topic but in the dead-letter topic %s (Kafka refused them;"
                    + " header eventstore_error_reason says why): fix the cause, then republish them"
                    + " (eventstore republish --stream STREAM).%n", report.deadLettered(), report.deadLetterTopic());
        }
        if (!report.lostTopics().isEmpty()) {
            out.printf("Note: Kafka topic%s %s %s deleted or created again since the bridge recorded %s: stop the"
                    + " bridge and run eventstore republish --restore-topic %s.%n",
                    report.lostTopics().size() == 1 ? "" : "s", String.join(", ", report.lostTopics()),
                    report.lostTopics().size() == 1 ? "was" : "were", report.lostTopics().size() == 1 ? "it" : "them",
                    report.lostTopics().get(0));
        }
        if (report.notYetPublished() > 0) {
            line(out, "not yet published", report.notYetPublished(), List.of());
        }
        if (report.note() != null) {
            out.println("Note: " + report.note() + ".");
        }
        if (report.failed() || report.notYetPublished() > 0) {
            return exit(report);
        }
        out.println("OK: Kafka holds every stored event, each stream in order.");
        return ExitCodes.OK;
    }

    /**
     * The verdict: 0, or the one line on stderr with exit 1 (missing or out of order) or 3 (not
     * conclusive: the bridge has not yet published every stored event).
     */
    private static int exit(Verifier.Report report) {
        if (report.failed()) {
            String advice = !report.lostTopics().isEmpty()
                    ? "restore the lost topic with the bridge stopped: eventstore republish --restore-topic "
                            + report.lostTopics().get(0)
                    : "republish restores missing events: eventstore republish --help";
            throw new CommandFailedException("verify failed: " + report.missing() + " missing, " + report.outOfOrder()
                    + " out of order (" + advice + ")");
        }
        if (report.notYetPublished() > 0) {
            throw new CommandFailedException("verify is not conclusive: " + report.notYetPublished() + " events not yet"
                    + " published (the bridge is behind); run verify again", ExitCodes.NOT_CHECKED);
        }
        return ExitCodes.OK;
    }

    /** {@code verify --json}: the verdict ("ok", "failed", "not-conclusive") and the report's counts and examples. */
    record JsonReport(String result, String category, @com.fasterxml.jackson.annotation.JsonUnwrapped Verifier.Report report) {
    }

    private static void line(PrintWriter out, String what, long count, List<String> examples) {
        out.printf("  %-18s %,d%s%n", what, count, examples.isEmpty() ? "" : "   e.g. " + String.join(", ", examples));
    }
}
