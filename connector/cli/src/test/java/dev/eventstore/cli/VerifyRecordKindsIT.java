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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * verify on records that are not what the bridge writes: foreign records in an event topic (a
 * null key, a header with a null value, a value that is not an event) are unknown, not a crash; an
 * event in the dead-letter topic is dead-lettered, not missing; streams created after verify's
 * snapshot are not unknown.
 */
class VerifyRecordKindsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final BridgeTestAccess support = new BridgeTestAccess();
    private final Cli cli = new Cli();
    private EventBridge bridge;

    VerifyRecordKindsIT() {
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
        Map<String, String> environment = new HashMap<>(support.environment());
        environment.put("EVENTSTORE_MIRROR_ENABLED", "false");
        return BridgeConfig.load(new Properties(), environment);
    }

    private void append(String stream, int count) {
        for (int i = 0; i < count; i++) {
            support.store().append(stream, ExpectedVersion.ANY, EventData.of("Tick", "{\"i\":" + i + "}"));
        }
    }

    @Test
    void foreignRecordsAreUnknownAndADeadLetteredEventIsNotMissing() throws Exception {
        BridgeConfig config = config();
        append("game-f", 3);
        append("big-1", 1);
        List<RecordedEvent> game = support.store().readStreamForward("game-f", 1, 10);
        RecordedEvent big = support.store().readStreamForward("big-1", 1, 1).get(0);
        EventRecordEncoder encoder = new EventRecordEncoder(config);
        String gameTopic = config.topicPrefix() + ".game";
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", TestKafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (RecordedEvent event : game) {
                producer.send(encoder.encode(event)).get();
            }
            ProducerRecord<byte[], byte[]> template = encoder.encode(game.get(0));
            // A null key with an event's headers.
            producer.send(new ProducerRecord<byte[], byte[]>(gameTopic, (Integer) null, (byte[]) null, template.value(), template.headers())).get();
            // A header with a null value.
            RecordHeaders nullId = new RecordHeaders(template.headers().toArray());
            nullId.remove("ce_id");
            nullId.add("ce_id", null);
            producer.send(new ProducerRecord<byte[], byte[]>(gameTopic, (Integer) null, template.key(), template.value(), nullId)).get();
            RecordHeaders nullVersion = new RecordHeaders(template.headers().toArray());
            nullVersion.remove("ce_streamversion");
            nullVersion.add("ce_streamversion", null);
            producer.send(new ProducerRecord<byte[], byte[]>(gameTopic, (Integer) null, template.key(), template.value(), nullVersion)).get();
            // Not an event at all.
            producer.send(new ProducerRecord<>(gameTopic, "x".getBytes(StandardCharsets.UTF_8),
                    "not json".getBytes(StandardCharsets.UTF_8))).get();
            // The bridge parked big-1@1 in the dead-letter topic instead of its own.
            ProducerRecord<byte[], byte[]> bigRecord = encoder.encode(big);
            RecordHeaders dead = new RecordHeaders(bigRecord.headers().toArray());
            dead.add("eventstore_error_reason", "RecordTooLargeException: too large".getBytes(StandardCharsets.UTF_8));
            dead.add("eventstore_error_topic", bigRecord.topic().getBytes(StandardCharsets.UTF_8));
            producer.send(new ProducerRecord<byte[], byte[]>(config.deadLetterTopic(), (Integer) null, bigRecord.key(), bigRecord.value(), dead)).get();
        }

        Cli.Result result = cli.run("verify", "--wait", "PT1S");
        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).contains("missing            0", "unknown            4   e.g. a record that is not an event"
                        + " record at " + gameTopic)
                .contains("dead-lettered      1   e.g. big-1@1 (event " + big.eventId() + ")")
                .contains("in the dead-letter topic " + config.deadLetterTopic());
        System.out.println("RELIABILITY scenario=verify-foreign-records " + result.out().lines()
                .filter(l -> l.startsWith("  ")).map(String::trim).reduce((a, b) -> a + "; " + b).orElse(""));
    }

    @Test
    void streamsCreatedDuringVerifyAreNotUnknown() throws Exception {
        bridge = EventBridge.start(config(), false);
        bridge.ready().get(60, TimeUnit.SECONDS);
        append("game-base", 200);
        TestKafka.readUntil(support.topics(), r -> r.size() >= 200, TIMEOUT);
        // New streams keep appearing while verify reads: published after its snapshot, they are not unknown.
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 300; i++) {
                append("game-new" + i, 1);
            }
        });
        Cli.Result result = cli.run("verify", "--wait", "PT60S");
        writer.get(60, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).contains("missing            0", "unknown            0");
    }
}
