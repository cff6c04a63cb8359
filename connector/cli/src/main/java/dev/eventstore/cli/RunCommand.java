package dev.eventstore.cli;

import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.jdbc.PostgresErrors;
import java.io.PrintWriter;
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
 * Ctrl-C, which stop it gracefully (the batch in flight acknowledged, offsets saved). One bridge
 * per store: a second {@code run} on the same schema refuses at once and changes nothing
 * ({@link dev.eventstore.bridge.BridgeLock}); a bridge that loses its lock's session stops, exit 1.
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
                    + " stored event again (after a lost slot or a restore; consumers see duplicates). Refused, with"
                    + " nothing deleted, while another bridge of the store runs or the slot is in use.")
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
                            + ":" + bridge.httpPort() + "/health/ready" : "");
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
        Properties properties = file == null ? new Properties() : ConfigFile.read(file);
        if (file != null) {
            refuseUnknownKeys(file, properties);
        }
        try {
            return BridgeConfig.load(properties, environment.variables(), flags);
        } catch (ConfigException e) {
            throw new CommandFailedException("invalid configuration: " + PostgresErrors.mask(e.getMessage()), ExitCodes.USAGE);
        }
    }

    /**
     * A key of the file that is neither a bridge setting nor a {@code kafka.*} client setting is
     * refused, naming the nearest known key: a misspelt setting ignored in silence (an offset flush
     * interval, a snapshot mode) is worse than a bridge that does not start.
     */
    static void refuseUnknownKeys(Path file, Properties properties) {
        java.util.Set<String> known = BridgeConfig.CONFIG_DEF.names();
        java.util.List<String> unknown = properties.stringPropertyNames().stream()
                .filter(key -> !known.contains(key) && !key.startsWith(BridgeConfig.KAFKA_CLIENT_PREFIX))
                .sorted()
                .toList();
        if (unknown.isEmpty()) {
            return;
        }
        StringBuilder message = new StringBuilder("configuration file " + file + ": unknown setting"
                + (unknown.size() == 1 ? " " : "s "));
        for (int i = 0; i < unknown.size(); i++) {
            String key = unknown.get(i);
            message.append(i == 0 ? "" : ", ").append(PostgresErrors.mask(key));
            known.stream()
                    .filter(k -> editDistance(k, key) <= 3)
                    .min(java.util.Comparator.comparingInt(k -> editDistance(k, key)))
                    .ifPresent(k -> message.append(" (did you mean ").append(k).append("?)"));
        }
        message.append(" (every setting is described in docs/bridge-config.md)");
        throw new CommandFailedException(message.toString(), ExitCodes.USAGE);
    }

    /** Levenshtein distance, for suggesting the key a misspelt one meant. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
