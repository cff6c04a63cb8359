package dev.eventstore.cli;

import static dev.eventstore.testing.EventRecordContract.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.testing.TestKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `eventstore run` as an operator runs it: a separate process, stopped with SIGTERM or killed. */
class RunCommandIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final dev.eventstore.bridge.BridgeTestAccess support = new dev.eventstore.bridge.BridgeTestAccess();

    @TempDir
    Path directory;

    @AfterEach
    void dropSlot() {
        support.dropSlot();
    }

    private Cli cli() {
        Cli cli = new Cli();
        support.environment().forEach(cli::with);
        return cli;
    }

    private Path configFile(Map<String, String> settings) throws IOException {
        Path file = directory.resolve("bridge.properties");
        StringBuilder text = new StringBuilder();
        settings.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(file, text.toString());
        return file;
    }

    private Cli.Child startBridge(Path config) {
        Cli.Child child = cli().start(directory, "run", "--config", config.toString());
        await().atMost(TIMEOUT).until(() -> child.outSoFar().contains(" publishing ") || !child.isAlive());
        assertThat(child.isAlive()).as(child.outSoFar() + child.errSoFar()).isTrue();
        return child;
    }

    private void append(String stream, long from, int count) {
        for (long v = from; v < from + count; v++) {
            support.store().append(stream, ExpectedVersion.exactly(v - 1), EventData.of("Tick", "{\"v\":" + v + "}"));
        }
    }

    @Test
    void killedBridgeLosesNothingAndRepeatsAtMostOneBatch() throws Exception {
        // Offsets saved after every batch, batches of at most 20: a kill repeats at most 20 events.
        Path config = configFile(Map.of("offset.flush.interval.ms", "0", "max.batch.size", "20"));
        Cli.Child first = startBridge(config);
        append("game-kill", 1, 150);
        await().atMost(TIMEOUT).until(() -> publishedVersions().size() >= 100);
        first.kill(); // SIGKILL: no flush, no goodbye
        first.finish(30);

        append("game-kill", 151, 50); // while the bridge is dead
        Cli.Child second = startBridge(config);
        append("game-kill", 201, 50);
        await().atMost(TIMEOUT).until(() -> publishedVersions().stream().distinct().count() >= 250);
        second.terminate();
        Cli.Result stopped = second.finish(60);
        assertThat(stopped.out()).contains("Bridge stopped.");

        List<Long> versions = publishedVersions();
        assertThat(versions.stream().distinct().sorted().toList())
                .isEqualTo(java.util.stream.LongStream.rangeClosed(1, 250).boxed().toList());
        Map<Long, Long> copies = versions.stream().collect(Collectors.groupingBy(v -> v, Collectors.counting()));
        long duplicates = versions.size() - copies.size();
        assertThat(duplicates).as("events published twice").isLessThanOrEqualTo(20);
        assertThat(copies.values()).allMatch(c -> c <= 2);
    }

    @Test
    void gracefulStopOnSigtermThenRestartRepeatsNothing() throws Exception {
        Path config = configFile(Map.of());
        Cli.Child first = startBridge(config);
        append("game-term", 1, 40);
        await().atMost(TIMEOUT).until(() -> publishedVersions().size() >= 40);
        first.terminate();
        assertThat(first.finish(60).out()).contains("Bridge stopped.");

        append("game-term", 41, 10);
        Cli.Child second = startBridge(config);
        await().atMost(TIMEOUT).until(() -> publishedVersions().size() >= 50);
        second.terminate();
        second.finish(60);
        assertThat(publishedVersions()).isEqualTo(java.util.stream.LongStream.rangeClosed(1, 50).boxed().toList());
    }

    private List<Long> publishedVersions() {
        List<ConsumerRecord<String, byte[]>> records = TestKafka.readToEnd(support.topics(), 0, TIMEOUT);
        return records.stream().map(r -> Long.parseLong(header(r, "ce_streamversion"))).toList();
    }

    @Test
    void missingConfigFileIsNamed() {
        Cli.Result result = cli().run("run", "--config", directory.resolve("nope.properties").toString());
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).startsWith("eventstore: configuration file ").contains("nope.properties does not exist");
    }

    @Test
    void invalidSettingIsNamed() throws IOException {
        Cli.Result result = cli().with("EVENTSTORE_DB_URL", "postgres://localhost/x")
                .run("run", "--config", configFile(Map.of()).toString());
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).startsWith("eventstore: invalid configuration: Invalid value postgres://localhost/x"
                + " for configuration db.url: must be a jdbc:postgresql://HOST:PORT/DATABASE URL");
    }

    @Test
    void missingRequiredSettingIsNamed() throws IOException {
        Cli cli = new Cli();
        Cli.Result result = cli.run("run", "--config", configFile(Map.of("db.user", "x")).toString());
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).startsWith("eventstore: invalid configuration: Missing required configuration \"db.url\"");
    }

    @Test
    void unmigratedDatabaseIsRefused() throws IOException {
        Cli.Result result = cli().with("EVENTSTORE_SCHEMA", "never_migrated").run("run", "--config", configFile(Map.of()).toString());
        assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(result.err()).isEqualTo("eventstore: schema never_migrated does not exist in this database: run"
                + " `eventstore migrate` (or set schema)\n");
    }

    @Test
    void unreachableKafkaIsNamed() throws IOException {
        Map<String, String> settings = new HashMap<>();
        Cli.Result result = cli().with("EVENTSTORE_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")
                .run("run", "--config", configFile(settings).toString());
        assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(result.err()).startsWith("eventstore: cannot reach Kafka at 127.0.0.1:1");
    }
}
