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
            "Reports missing, duplicated, out-of-order and unknown records; exits 1 on missing or out-of-order.",
            "Safe on a live system: events the bridge has not yet had time to publish are not called missing."
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

    @Override
    public Integer call() throws Exception {
        BridgeConfig config = bridgeConfig();
        Verifier.Report report = new Verifier(config).verify(category, slot != null ? slot : config.slotName(), wait, timeout);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Checked %,d stored events in %,d streams against %,d records in %d topics%s.%n", report.storedEvents(),
                report.streams(), report.records(), report.topics().size(), category == null ? "" : " (category " + category + ")");
        line(out, "missing", report.missing(), report.missingExamples());
        line(out, "out of order", report.outOfOrder(), report.outOfOrderExamples());
        line(out, "duplicated", report.duplicated(), report.duplicatedExamples());
        line(out, "unknown", report.unknown(), report.unknownExamples());
        if (report.notYetPublished() > 0) {
            line(out, "not yet published", report.notYetPublished(), List.of());
        }
        if (report.note() != null) {
            out.println("Note: " + report.note() + ".");
        }
        if (report.failed()) {
            throw new CommandFailedException("verify failed: " + report.missing() + " missing, " + report.outOfOrder()
                    + " out of order (republish restores missing events: eventstore republish --help)");
        }
        if (report.notYetPublished() > 0) {
            out.printf("Not conclusive: %,d events not yet published (the bridge is behind); run verify again.%n",
                    report.notYetPublished());
        } else {
            out.println("OK: Kafka holds every stored event, each stream in order.");
        }
        return ExitCodes.OK;
    }

    private static void line(PrintWriter out, String what, long count, List<String> examples) {
        out.printf("  %-18s %,d%s%n", what, count, examples.isEmpty() ? "" : "   e.g. " + String.join(", ", examples));
    }
}
