package dev.eventstore.cli;

import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.jdbc.PostgresErrors;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code eventstore run}: the bridge against a real PostgreSQL and Kafka, until SIGTERM or
 * Ctrl-C, which stop it gracefully (the batch in flight acknowledged, offsets saved).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {
            "Run the change-data-capture bridge: publish every event to Kafka until stopped.",
            "Settings come from --config FILE (see config/eventstore.properties), each overridable by an",
            "environment variable EVENTSTORE_<KEY> (topic.prefix: EVENTSTORE_TOPIC_PREFIX). SIGTERM stops it gracefully."
        })
final class RunCommand implements Callable<Integer> {

    @ParentCommand
    EventStoreCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Bridge settings (Java properties).")
    Path configFile;

    @Option(names = "--reset-offsets",
            description = "Forget this bridge's stored position first: a new slot and a new snapshot publish every"
                    + " stored event again (after a lost slot or a restore; consumers see duplicates).")
    boolean resetOffsets;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        BridgeConfig config = load(configFile, root.environment());
        CountDownLatch stopped = new CountDownLatch(1);
        EventBridge bridge = EventBridge.start(config, resetOffsets);
        Thread hook = new Thread(() -> {
            bridge.close();
            awaitQuietly(stopped);
        }, "eventstore-run-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            bridge.ready().get();
            out.printf("Bridge %s publishing %s (slot %s) to Kafka %s%s%n", config.name(),
                    config.connection().displayUrl(), config.slotName(), config.bootstrapServers(),
                    bridge.httpPort() > 0 ? "; health on http://" + config.getString(BridgeConfig.Key.HTTP_HOST)
                            + ":" + bridge.httpPort() + "/health" : "");
            out.flush();
            bridge.terminated().get();
            out.println("Bridge stopped.");
            return ExitCodes.OK;
        } catch (ExecutionException e) {
            throw new CommandFailedException("bridge stopped: " + EventStoreCommand.describe(e.getCause()));
        } finally {
            bridge.close();
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException exiting) {
                // The JVM is already running the hook.
            }
        }
    }

    /** The file's settings with environment overrides; a bad setting is one clear line. */
    static BridgeConfig load(Path file, Environment environment) {
        return load(file, environment, new Properties());
    }

    /** As {@link #load(Path, Environment)}, with command-line settings that win over both. */
    static BridgeConfig load(Path file, Environment environment, Properties flags) {
        Properties properties = new Properties();
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new CommandFailedException("configuration file " + file + " does not exist", ExitCodes.USAGE);
            }
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException | IllegalArgumentException e) {
                throw new CommandFailedException("cannot read configuration file " + file + ": " + e.getMessage(), ExitCodes.USAGE);
            }
        }
        try {
            return BridgeConfig.load(properties, environment.variables(), flags);
        } catch (ConfigException e) {
            throw new CommandFailedException("invalid configuration: " + PostgresErrors.mask(e.getMessage()), ExitCodes.USAGE);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
