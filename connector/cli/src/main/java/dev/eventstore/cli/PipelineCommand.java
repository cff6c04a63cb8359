package dev.eventstore.cli;

import dev.eventstore.bridge.BridgeConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** A command that works on PostgreSQL and Kafka together, with the bridge's settings. */
abstract class PipelineCommand implements Callable<Integer> {

    @ParentCommand
    EventStoreCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    PipelineOptions pipeline;

    /** The settings file, the environment and the flags, resolved. */
    BridgeConfig bridgeConfig() {
        return pipeline.bridgeConfig(root.environment());
    }
}
