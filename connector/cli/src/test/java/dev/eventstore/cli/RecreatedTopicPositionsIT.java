package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.BridgeTestAccess;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.bridge.OffsetMirror;
import dev.eventstore.testing.TestDatabase;
import dev.eventstore.testing.TestKafka;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Positions read from a topic that was deleted and restored describe records that no longer
 * exist: the offset mirror forgets them (without stalling) and replay --to-subscriptions never
 * applies them, so no group moves forward past records it has not read.
 */
class RecreatedTopicPositionsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final BridgeTestAccess support = new BridgeTestAccess();
    private final Cli cli = new Cli();
    private final String group = "recreated-" + System.nanoTime();
    private EventBridge bridge;

    RecreatedTopicPositionsIT() {
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
        environment.put("EVENTSTORE_MIRROR_ENABLED", "false"); // the test drives the mirror itself
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

    /** A plain consumer of the group: reads {@code count} records from its committed offsets, commits, leaves. */
    private List<ConsumerRecord<String, byte[]>> consume(int count) {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", TestKafka.bootstrapServers());
        properties.put("group.id", group);
        properties.put("auto.offset.reset", "earliest");
        properties.put("enable.auto.commit", "false");
        properties.put("allow.auto.create.topics", "false");
        properties.put("max.poll.records", Integer.toString(count));
        List<ConsumerRecord<String, byte[]>> records = new java.util.ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(java.util.regex.Pattern.compile(support.topics()));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            while (records.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (records.size() < count) {
                        records.add(record);
                        offsets.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
                    }
                }
            }
            consumer.commitSync(offsets);
        }
        assertThat(records).hasSize(count);
        return records;
    }

    private long committed(TopicPartition partition) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).get(partition);
            return offset == null ? -1 : offset.offset();
        }
    }

    private long mirrorPosition(TopicPartition partition) throws Exception {
        try (Connection connection = TestDatabase.get().connect();
             PreparedStatement query = connection.prepareStatement("SELECT next_offset FROM bridge_it.mirror_positions"
                     + " WHERE subscription_id = ? AND topic = ? AND kafka_partition = ?")) {
            query.setString(1, group);
            query.setString(2, partition.topic());
            query.setInt(3, partition.partition());
            try (ResultSet rs = query.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    @Test
    void mirrorAndReplayIgnorePositionsOfADeletedTopic() throws Exception {
        startBridge();
        append("game-m", 30);
        TestKafka.readUntil(support.topics(), r -> r.size() >= 30, TIMEOUT);
        // Duplicates (a republish) push the old topic's offsets past what the restored topic will hold.
        Cli.Result duplicates = cli.run("republish", "--stream", "game-m");
        assertThat(duplicates.exitCode()).as(duplicates.all()).isZero();
        List<ConsumerRecord<String, byte[]>> old = consume(60);
        TopicPartition partition = new TopicPartition(old.get(0).topic(), old.get(0).partition());
        try (OffsetMirror mirror = new OffsetMirror(config())) {
            mirror.mirrorOnce();
        }
        assertThat(mirrorPosition(partition)).isEqualTo(60);

        // The topic is lost; the bridge is stopped and the topic restored from PostgreSQL.
        bridge.close();
        bridge = null;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            admin.deleteTopics(Set.of(partition.topic())).all().get(30, TimeUnit.SECONDS);
            Awaitility.await().atMost(TIMEOUT).until(() ->
                    !admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(partition.topic()));
        }
        Cli.Result restored = cli.run("republish", "--restore-topic", partition.topic());
        assertThat(restored.exitCode()).as(restored.all()).isZero();
        startBridge();
        append("game-m", 50); // the new topic: 80 records, 30 restored and 50 new
        TestKafka.readUntil(java.util.regex.Pattern.quote(partition.topic()), r -> r.size() >= 80, TIMEOUT);

        // Replay to the subscriptions: the recorded position (game-m@30 at offset 29, so 30) was read
        // from the deleted topic; applied to the new one it would skip 30 records the group never read.
        Cli.Result plan = cli.run("replay", "--group", group, "--to-subscriptions", "--dry-run");
        assertThat(plan.exitCode()).as(plan.all()).isZero();
        assertThat(plan.out()).contains("Note: " + partition + ": the recorded position 30 was read from an earlier"
                + " incarnation of the topic");
        Cli.Result replay = cli.run("replay", "--group", group, "--to-subscriptions");
        assertThat(replay.exitCode()).as(replay.all()).isZero();
        assertThat(committed(partition)).as("from the beginning, not past 30 unread records").isZero();

        // The group reads 5 records of the new topic; the mirror forgets 60 and follows it, without stalling.
        consume(5);
        long started = System.nanoTime();
        try (OffsetMirror mirror = new OffsetMirror(config())) {
            mirror.mirrorOnce();
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertThat(mirrorPosition(partition)).isEqualTo(5);
        assertThat(millis).as("a pass does not wait for records that do not exist").isLessThan(10_000);

        Cli.Result status = cli.run("status");
        assertThat(status.exitCode()).as(status.all()).isZero();
        String line = status.out().lines().filter(l -> l.contains(group) && l.contains(" game ")).findFirst().orElseThrow();
        assertThat(line).as(status.out()).matches(".*\\s75\\s+\\d+\\.\\d\\s+(kafka|subscriptions).*");
        System.out.println("RELIABILITY scenario=recreated-topic-positions recorded=30 old-mirror-position=60 new-end=80 replay-target="
                + committed(partition) + " mirror-position=" + mirrorPosition(partition) + " mirror-pass-ms=" + millis);
    }
}
