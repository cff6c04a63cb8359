package dev.eventstore.cli;

import dev.eventstore.admin.StatusReport;
import dev.eventstore.bridge.BridgeConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {
            "Show the pipeline and every consumer group's lag.",
            "The bridge's slot, the WAL it retains, the last event published, and each group's lag per",
            "category in events and seconds, from the subscriptions table and Kafka's offsets."
        })
final class StatusCommand extends PipelineCommand {

    @Option(names = "--slot", paramLabel = "SLOT", description = "Replication slot (default: the bridge's, slot.name).")
    String slot;

    @Option(names = "--json", description = "Print JSON for machines.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        BridgeConfig config = bridgeConfig();
        StatusReport.Status status = new StatusReport(config).collect(slot != null ? slot : config.slotName());
        PrintWriter out = spec.commandLine().getOut();
        java.util.Set<String> flagged = new java.util.TreeSet<>();
        status.groups().stream().filter(g -> g.flag() != null).forEach(g -> {
            if (flagged.add(g.group())) {
                spec.commandLine().getErr().println("eventstore: warning: consumer group "
                        + dev.eventstore.bridge.GroupNames.printable(g.group()) + " " + g.flag());
            }
        });
        if (json) {
            Json.print(out, status);
            return ExitCodes.OK;
        }
        StatusReport.Pipeline p = status.pipeline();
        out.println("Pipeline");
        if (!p.slotExists()) {
            out.printf("  slot %s does not exist (the bridge creates it at first start)%n", p.slot());
        } else {
            out.printf("  slot %s: %s, WAL %s, retains %s, %s not yet confirmed%n", p.slot(), p.slotActive() ? "active" : "INACTIVE",
                    p.walStatus(), bytes(p.retainedWalBytes()), bytes(p.slotLagBytes()));
            if (p.failover() != null) {
                out.printf("  failover: %s%n", p.failover());
            }
        }
        out.printf("  last event published: %s (%d topics)%n", p.lastPublished() == null ? "none"
                : p.lastPublished() + ", " + age(p.lastPublished()) + " ago", p.topics());
        out.println();
        out.println("Consumer groups (Kafka positions against the end of each topic)");
        if (status.groups().isEmpty()) {
            out.println("  none reading the event topics");
        } else {
            Table table = new Table("  Group", "Category", "Lag (events)", "Lag (s)", "Position from", "State");
            status.groups().forEach(g -> table.add("  " + (g.flag() == null ? g.group()
                            : dev.eventstore.bridge.GroupNames.printable(g.group()) + " (!)"), g.category(), g.lagEvents(),
                    String.format("%.1f", g.lagSeconds()), g.source(), g.state()));
            table.print(out);
            flagged.forEach(group -> out.printf("  (!) %s: not mirrored into PostgreSQL; its name cannot be a"
                    + " subscription id, so its lag is Kafka's alone%n", dev.eventstore.bridge.GroupNames.printable(group)));
        }
        if (!status.subscriptions().isEmpty()) {
            out.println();
            out.println("Subscriptions in PostgreSQL (recorded positions against each stream's version)");
            Table table = new Table("  Subscription", "Category", "Streams behind", "Events behind", "Lag (s)");
            status.subscriptions().forEach(s -> table.add("  " + s.subscriptionId(), s.category(), s.streamsBehind(),
                    s.eventsBehind(), String.format("%.1f", s.lagSeconds())));
            table.print(out);
        }
        return ExitCodes.OK;
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format("%.1f KiB", n / 1024.0);
        }
        return String.format("%.1f MiB", n / (1024.0 * 1024));
    }

    private static String age(Instant time) {
        Duration age = Duration.between(time, Instant.now());
        return age.toSeconds() < 120 ? age.toSeconds() + " s" : age.toMinutes() + " min";
    }
}
