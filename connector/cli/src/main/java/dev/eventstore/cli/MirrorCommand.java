package dev.eventstore.cli;

import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.MirrorService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code eventstore mirror}: the offset mirror alone, until SIGTERM or Ctrl-C, for deployments
 * where Kafka Connect publishes ({@link MirrorService}). It reads the same settings as {@code run}
 * (file and {@code EVENTSTORE_*} overrides) and serves the same {@code /health/live},
 * {@code /health/ready} and {@code /metrics}. One mirror writes a store at a time: a second one,
 * or the mirror built into a {@code run} of the store, waits and takes over when the first stops.
 */
@Command(name = "mirror", mixinStandardHelpOptions = true,
        description = {
            "Run the offset mirror alone: copy consumer groups' committed positions into subscriptions until stopped.",
            "For deployments where Kafka Connect publishes. Same settings as run (--config FILE, EVENTSTORE_<KEY>);",
            "one mirror writes a store at a time, others wait. SIGTERM stops it."
        })
final class MirrorCommand implements Callable<Integer> {

    @ParentCommand
    EventStoreCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Settings (Java properties), as for run.")
    Path configFile;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        BridgeConfig config = RunCommand.load(configFile, root.environment());
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        MirrorService service = MirrorService.start(config);
        Thread hook = new Thread(() -> {
            stop.countDown();
            awaitQuietly(stopped);
        }, "eventstore-mirror-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            out.printf("Offset mirror %s mirroring consumer groups of Kafka %s into %s (schema %s)%s%n", config.name(),
                    config.bootstrapServers(), config.connection().displayUrl(), config.schema(),
                    service.httpPort() > 0 ? "; health on http://" + config.getString(BridgeConfig.Key.HTTP_HOST) + ":"
                            + service.httpPort() + "/health/ready" : "");
            out.flush();
            stop.await();
            service.close();
            out.println("Offset mirror stopped.");
            out.flush();
            return ExitCodes.OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.OK;
        } finally {
            service.close();
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException exiting) {
                // The JVM is already running the hook.
            }
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
