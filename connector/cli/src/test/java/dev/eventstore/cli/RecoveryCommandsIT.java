package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.RecordedEvent;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.BridgeTestAccess;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.bridge.EventRecordEncoder;
import dev.eventstore.testing.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** verify and republish: Kafka checked against PostgreSQL, and made whole again from it. */
class RecoveryCommandsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final BridgeTestAccess support = new BridgeTestAccess();
    private final Cli cli = new Cli();
    private EventBridge bridge;

    RecoveryCommandsIT() {
        support.environment().forEach(cli::with);
    }

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
        support.dropSlot();
    }

    private BridgeConfig config() {
        return BridgeConfig.load(new java.util.Properties(), support.environment());
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

    @Test
    void lostTopicIsReportedAndRepublishMakesKafkaWhole() throws Exception {
        startBridge();
        append("game-1", 20);
        append("game-2", 10);
        append("player-1", 5);
        TestKafka.readUntil(support.topics(), r -> r.size() >= 35, TIMEOUT);
        Cli.Result healthy = cli.run("verify");
        assertThat(healthy.exitCode()).as(healthy.all()).isZero();
        assertThat(healthy.out()).contains("Checked 35 stored events in 3 streams against 35 records in 2 topics",
                "OK: Kafka holds every stored event");

        // Kafka loses the game topic while the bridge runs.
        String gameTopic = config().topicPrefix() + ".game";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            admin.deleteTopics(Set.of(gameTopic)).all().get(30, TimeUnit.SECONDS);
            org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> {
                try {
                    admin.createTopics(Set.of(new NewTopic(gameTopic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
                    return true;
                } catch (java.util.concurrent.ExecutionException e) {
                    return false; // deletion still in progress
                }
            });
        }
        Cli.Result broken = cli.run("verify", "--wait", "PT60S");
        assertThat(broken.exitCode()).as(broken.all()).isEqualTo(ExitCodes.FAILURE);
        assertThat(broken.out()).contains("missing            30");
        assertThat(broken.err()).startsWith("eventstore: verify failed: 30 missing, 0 out of order");

        assertThat(broken.err()).contains("eventstore republish --restore-topic " + gameTopic);

        // The topic came back with another id: a plain republish refuses it; the restore, with the
        // bridge stopped and the stand-in topic deleted, makes Kafka whole.
        Cli.Result refused = cli.run("republish", "--all");
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(ExitCodes.FAILURE);
        assertThat(refused.err()).contains("was deleted and created again", "republish --restore-topic " + gameTopic);
        bridge.close();
        bridge = null;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            admin.deleteTopics(Set.of(gameTopic)).all().get(30, TimeUnit.SECONDS);
            org.awaitility.Awaitility.await().atMost(TIMEOUT)
                    .until(() -> !admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(gameTopic));
        }
        Cli.Result restored = cli.run("republish", "--restore-topic", gameTopic);
        assertThat(restored.exitCode()).as(restored.all()).isZero();
        assertThat(restored.out()).contains("republished 30 events");
        startBridge();

        Cli.Result whole = cli.run("verify", "--wait", "PT60S");
        assertThat(whole.exitCode()).as(whole.all()).isZero();
        assertThat(whole.out()).contains("missing            0", "out of order       0");
    }

    @Test
    void verifyFindsAnInjectedGapAndAnOutOfOrderPair() throws Exception {
        append("game-gap", 2);
        append("game-order", 3);
        List<RecordedEvent> gap = support.store().readStreamForward("game-gap", 1, 10);
        List<RecordedEvent> order = support.store().readStreamForward("game-order", 1, 10);
        EventRecordEncoder encoder = new EventRecordEncoder(config());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", TestKafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(encoder.encode(gap.get(0))).get(); // game-gap@2 never sent
            producer.send(encoder.encode(order.get(0))).get();
            producer.send(encoder.encode(order.get(2))).get(); // 3 before 2
            producer.send(encoder.encode(order.get(1))).get();
        }
        Cli.Result result = cli.run("verify", "--wait", "PT1S");
        assertThat(result.exitCode()).as(result.all()).isEqualTo(ExitCodes.FAILURE);
        assertThat(result.out()).contains("missing            1   e.g. game-gap@2 (event " + gap.get(1).eventId() + ")")
                .contains("out of order       1   e.g. game-order@2")
                .contains("not found: absent events are counted as missing");
    }

    @Test
    void verifyOnALiveSystemCallsNothingMissing() throws Exception {
        startBridge();
        append("game-live", 30);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> append("game-live", 100));
        Cli.Result result = cli.run("verify", "--wait", "PT60S");
        writer.get(60, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).contains("missing            0");
    }

    @Test
    void republishOfAStreamThatDoesNotExistIsAnError() {
        Cli.Result result = cli.run("republish", "--stream", "game-nowhere");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(result.err()).isEqualTo("eventstore: stream game-nowhere does not exist or has no events\n");
    }

    @Test
    void republishNeedsExactlyOneSelection() {
        Cli.Result none = cli.run("republish");
        assertThat(none.exitCode()).isEqualTo(ExitCodes.USAGE);
        Cli.Result two = cli.run("republish", "--all", "--stream", "game-1");
        assertThat(two.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(two.err()).contains("mutually exclusive");
    }
}
