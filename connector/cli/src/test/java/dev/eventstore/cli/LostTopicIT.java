package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.BridgeException;
import dev.eventstore.bridge.BridgeLock;
import dev.eventstore.bridge.BridgeTestAccess;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.bridge.KafkaClients;
import dev.eventstore.bridge.TopicManager;
import dev.eventstore.testing.TestKafka;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.Uuid;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An event topic deleted while the bridge runs: the broker's auto-creation brings a topic of the
 * same name back with another id and none of the old records. The bridge refuses that topic in
 * one line naming {@code republish --restore-topic}; the restore makes Kafka whole, each stream
 * in order, and the restarted bridge carries on.
 */
class LostTopicIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final BridgeTestAccess support = new BridgeTestAccess();
    private final Cli cli = new Cli();
    private EventBridge bridge;

    LostTopicIT() {
        support.environment().forEach(cli::with);
        cli.with("EVENTSTORE_MIRROR_ENABLED", "false");
    }

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
        support.dropSlot();
    }

    private BridgeConfig config() {
        Map<String, String> environment = new HashMap<>(support.environment());
        environment.put("EVENTSTORE_MIRROR_ENABLED", "false");
        return BridgeConfig.load(new Properties(), environment);
    }

    private void startBridge() throws Exception {
        bridge = EventBridge.start(config(), false);
        bridge.ready().get(60, TimeUnit.SECONDS);
    }

    private void append(String stream, int count) {
        for (int i = 0; i < count; i++) {
            support.store().append(stream, ExpectedVersion.ANY, EventData.of("Tick", "{\"i\":" + i + "}"));
        }
    }

    /** Deletes the topic and waits until it is gone or, auto-created by a producer, has another id. */
    private static void deleteTopic(Admin admin, String topic) throws Exception {
        Uuid before = admin.describeTopics(Set.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).topicId();
        admin.deleteTopics(Set.of(topic)).all().get(30, TimeUnit.SECONDS);
        Awaitility.await().atMost(TIMEOUT).until(() -> {
            try {
                return !admin.describeTopics(Set.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                        .topicId().equals(before);
            } catch (ExecutionException e) {
                return e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
            }
        });
    }

    @Test
    void aTopicDeletedUnderTheBridgeIsRefusedAndRestoredInOrder() throws Exception {
        BridgeConfig config = config();
        String gameTopic = config.topicPrefix() + ".game";
        startBridge();
        for (int s = 0; s < 20; s++) {
            append("game-" + s, 10);
        }
        append("player-1", 5);
        TestKafka.readUntil(support.topics(), r -> r.size() >= 205, TIMEOUT);

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()));
             KafkaProducer<byte[], byte[]> producer = KafkaClients.eventProducer(config, "lost-topic-it")) {
            // What the bridge's monitor loop calls every 5 s, on a manager that has used the topic.
            TopicManager watcher = TopicManager.of(config, admin, producer);
            watcher.ensureExists(gameTopic);
            watcher.checkKnownTopics();

            // Kafka loses the game topic under load: a writer appends while it is deleted.
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger written = new AtomicInteger();
            Thread writer = new Thread(() -> {
                for (int i = 0; writing.get() && i < 2_000; i++) {
                    append("game-" + (i % 20), 1);
                    written.incrementAndGet();
                }
            }, "lost-topic-writer");
            writer.start();
            Awaitility.await().atMost(TIMEOUT).until(() -> written.get() >= 50);
            deleteTopic(admin, gameTopic);
            Awaitility.await().atMost(TIMEOUT).until(() -> written.get() >= 150);
            writing.set(false);
            writer.join(60_000);

            assertThatThrownBy(watcher::checkKnownTopics).isInstanceOf(BridgeException.class)
                    .hasMessageStartingWith("Kafka topic " + gameTopic + " ")
                    .hasMessageEndingWith("; stop the bridge and run: eventstore republish --restore-topic " + gameTopic);
            // The running bridge's monitor loop finds the same within seconds and stops it.
            ExecutionException lost = org.assertj.core.api.Assertions.catchThrowableOfType(
                    () -> bridge.terminated().get(60, TimeUnit.SECONDS), ExecutionException.class);
            assertThat(lost).as("the running bridge stops").isNotNull();
            assertThat(lost.getCause().getMessage()).startsWith("Kafka topic " + gameTopic + " ")
                    .endsWith("; stop the bridge and run: eventstore republish --restore-topic " + gameTopic);
            bridge.close();
            bridge = null;

            // The restore refuses while a bridge of the store runs (holds the store's bridge lock).
            try (BridgeLock running = BridgeLock.acquire(config.connection(), config.schema(), "a running bridge")) {
                Cli.Result whileRunning = cli.run("republish", "--restore-topic", gameTopic);
                assertThat(whileRunning.exitCode()).as(whileRunning.all()).isEqualTo(ExitCodes.FAILURE);
                assertThat(whileRunning.err()).startsWith("eventstore: cannot restore " + gameTopic + " while a bridge runs: ")
                        .contains("a running bridge").hasLineCount(1);
            }

            // At its next start the bridge refuses the topic at its first use, in one line.
            startBridge();
            append("game-0", 1);
            ExecutionException stopped = org.assertj.core.api.Assertions.catchThrowableOfType(
                    () -> bridge.terminated().get(60, TimeUnit.SECONDS), ExecutionException.class);
            assertThat(stopped).as("the bridge stops").isNotNull();
            assertThat(stopped.getCause().getMessage()).startsWith("Kafka topic " + gameTopic + " ")
                    .endsWith("; stop the bridge and run: eventstore republish --restore-topic " + gameTopic)
                    .doesNotContain("\n");
            bridge.close();
            bridge = null;

            long stored = support.store().streamInfo("player-1").orElseThrow().version();
            for (int s = 0; s < 20; s++) {
                stored += support.store().streamInfo("game-" + s).orElseThrow().version();
            }
            Cli.Result broken = cli.run("verify", "--wait", "PT5S");
            assertThat(broken.exitCode()).as(broken.all()).isEqualTo(ExitCodes.FAILURE);
            assertThat(broken.err()).contains("eventstore republish --restore-topic " + gameTopic);
            String missing = broken.out().lines().filter(l -> l.contains("missing")).findFirst().orElseThrow();

            // A plain republish refuses the recreated topic rather than putting old versions after new ones.
            Cli.Result all = cli.run("republish", "--all");
            assertThat(all.exitCode()).as(all.all()).isEqualTo(ExitCodes.FAILURE);
            assertThat(all.err()).contains("republish --restore-topic " + gameTopic).hasLineCount(1);

            boolean autoCreated = admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(gameTopic);
            if (autoCreated) {
                Cli.Result exists = cli.run("republish", "--restore-topic", gameTopic);
                assertThat(exists.exitCode()).as(exists.all()).isEqualTo(ExitCodes.FAILURE);
                assertThat(exists.err()).contains("--delete --topic " + gameTopic).hasLineCount(1);
                deleteTopic(admin, gameTopic);
                Awaitility.await().atMost(TIMEOUT)
                        .until(() -> !admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(gameTopic));
            }
            Cli.Result restored = cli.run("republish", "--restore-topic", gameTopic);
            assertThat(restored.exitCode()).as(restored.all()).isZero();
            long gameEvents = stored - 5;
            assertThat(restored.out()).startsWith(String.format("Restored Kafka topic %s (topic id ", gameTopic))
                    .contains(String.format("republished %,d events, each stream in order", gameEvents))
                    .contains("Next: start the bridge.");
            Uuid id = admin.describeTopics(Set.of(gameTopic)).allTopicNames().get(30, TimeUnit.SECONDS).get(gameTopic).topicId();
            assertThat(restored.out()).contains("topic id " + id + ")");
            assertThat(admin.describeTopics(Set.of(gameTopic)).allTopicNames().get(30, TimeUnit.SECONDS).get(gameTopic)
                    .partitions()).hasSize(3);

            startBridge();
            append("game-0", 3);
            stored += 3;
            Cli.Result whole = cli.run("verify", "--wait", "PT60S");
            assertThat(whole.exitCode()).as(whole.all()).isZero();
            assertThat(whole.out()).contains("missing            0", "out of order       0", "unknown            0",
                    "OK: Kafka holds every stored event");
            String duplicated = whole.out().lines().filter(l -> l.contains("duplicated")).findFirst().orElseThrow();
            System.out.println("RELIABILITY scenario=lost-topic stored=" + stored + " written-during-delete=" + written.get()
                    + " auto-created=" + autoCreated + " before-restore=[" + missing.trim() + "] restored=" + gameEvents
                    + " after-restart=[" + duplicated.trim() + "]");
        }
    }
}
