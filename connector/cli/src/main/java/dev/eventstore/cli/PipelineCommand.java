package dev.eventstore.cli;

import dev.eventstore.bridge.BridgeConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * A command that works on PostgreSQL and Kafka together, with the bridge's settings. Resolving
 * them ({@link #bridgeConfig()}, the first thing each such command does) also checks its input
 * and Kafka, so that every such command refuses alike, in one line ({@link CommandInputs}): a
 * malformed {@code --category} or {@code --group} (exit 2), a category with no stored stream,
 * Kafka not answering within 10 s (exit 1).
 */
abstract class PipelineCommand implements Callable<Integer> {

    @ParentCommand
    EventStoreCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    PipelineOptions pipeline;

    /** The settings file, the environment and the flags, resolved; the command's input checked. */
    BridgeConfig bridgeConfig() {
        CommandInputs.checkOptions(spec);
        BridgeConfig config = pipeline.bridgeConfig(root.environment());
        CommandInputs.requireStoredCategory(spec, config);
        CommandInputs.requireKafka(config);
        return config;
    }
}
