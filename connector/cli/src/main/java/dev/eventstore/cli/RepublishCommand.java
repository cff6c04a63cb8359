package dev.eventstore.cli;

import dev.eventstore.EventStore;
import dev.eventstore.admin.EventSelection;
import dev.eventstore.admin.Republisher;
import dev.eventstore.bridge.BridgeConfig;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "republish", mixinStandardHelpOptions = true,
        description = {
            "Publish stored events from PostgreSQL into Kafka again.",
            "Records are identical to the bridge's (same key, headers, ce_id and timestamp), each stream in",
            "order. For recovery after Kafka lost data",
            "or the bridge's slot was lost. Consumers see duplicates of what they had, recognisable by ce_id.",
            "--restore-topic recreates a deleted or recreated event topic (the bridge stops naming it): with the",
            "bridge stopped, it creates the topic with the bridge's settings, republishes its events, each stream",
            "in order, and records the new topic id; then start the bridge again."
        })
final class RepublishCommand extends PipelineCommand {

    @ArgGroup(exclusive = true, multiplicity = "1")
    Selection selection;

    static final class Selection {
        @Option(names = "--all", required = true, description = "Every stored event.")
        boolean all;

        @Option(names = "--category", required = true, paramLabel = "CATEGORY", description = "The events of one category (e.g. game).")
        String category;

        @Option(names = "--stream", required = true, paramLabel = "STREAM", description = "The events of one stream.")
        String stream;

        @Option(names = "--from-event-id", required = true, paramLabel = "ID", description = "Events from this id on.")
        Long fromEventId;

        @Option(names = "--restore-topic", required = true, paramLabel = "TOPIC",
                description = "Restore a lost event topic: create it and republish every event it holds"
                        + " (the bridge must be stopped).")
        String restoreTopic;

        EventSelection toSelection() {
            if (category != null) {
                return EventSelection.category(category);
            }
            if (stream != null) {
                return EventSelection.stream(stream);
            }
            if (fromEventId != null) {
                if (fromEventId < 1) {
                    throw new CommandFailedException("--from-event-id must be 1 or more", ExitCodes.USAGE);
                }
                return EventSelection.fromEventId(fromEventId);
            }
            return EventSelection.all();
        }
    }

    @Override
    public Integer call() throws Exception {
        BridgeConfig config = bridgeConfig();
        if (selection.restoreTopic != null) {
            return restore(config, selection.restoreTopic);
        }
        EventSelection chosen = selection.toSelection();
        AdminAudit.requireRecordable(config.connection(), config.schema(), "republish");
        if (chosen.streamId() != null) {
            // A stream id the store could never hold (empty, control characters, too long) is
            // refused as the library refuses it: one line, naming the problem, the id escaped.
            try (EventStore store = EventStore.builder(config.connection().dataSource()).schema(config.schema()).build()) {
                store.streamInfo(chosen.streamId());
            }
        }
        Republisher.Report report;
        try (Progress bar = Progress.counting(spec.commandLine().getErr(), "events")) {
            report = new Republisher(config).republish(chosen, bar);
        }
        if (chosen.streamId() != null && report.events() == 0) {
            throw new CommandFailedException("stream " + chosen.streamId() + " does not exist or has no events");
        }
        AdminAudit.record(root, config.connection(), config.schema(), "republish",
                java.util.Map.of("selection", chosen.describe(), "events", report.events()));
        spec.commandLine().getOut().printf("Republished %,d events (%s) to Kafka %s in %.1f s (%,.0f events/s).%n",
                report.events(), chosen.describe(), config.bootstrapServers(), report.elapsedMillis() / 1000.0,
                report.eventsPerSecond());
        return ExitCodes.OK;
    }

    private int restore(BridgeConfig config, String topic) throws Exception {
        Republisher.Restore restore;
        try (Progress bar = Progress.counting(spec.commandLine().getErr(), "events")) {
            restore = new Republisher(config).restoreTopic(topic, bar);
        }
        AdminAudit.record(root, config.connection(), config.schema(), "republish",
                java.util.Map.of("restore_topic", topic, "topic_id", restore.topicId(), "events", restore.events()));
        java.io.PrintWriter out = spec.commandLine().getOut();
        out.printf("Restored Kafka topic %s (topic id %s): republished %,d events, each stream in order, in %.1f s.%n",
                topic, restore.topicId(), restore.events(), restore.elapsedMillis() / 1000.0);
        out.println("Next: start the bridge. It resumes from its own offsets, so events it had not confirmed are published"
                + " once more: consumers skip them by stream version, and verify counts them as duplicated.");
        return ExitCodes.OK;
    }
}
