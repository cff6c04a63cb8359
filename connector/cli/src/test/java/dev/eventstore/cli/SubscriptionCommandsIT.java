package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.SubscriptionPosition;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.BridgeTestAccess;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.bridge.OffsetMirror;
import dev.eventstore.testing.TestKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The offset mirror, status and replay, with plain Kafka consumer groups. */
class SubscriptionCommandsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final BridgeTestAccess support = new BridgeTestAccess();
    private final Cli cli = new Cli();
    private final String group = "analytics-" + System.nanoTime();
    private EventBridge bridge;

    SubscriptionCommandsIT() {
        support.environment().forEach(cli::with);
    }

    private BridgeConfig config() {
        Map<String, String> environment = new HashMap<>(support.environment());
        environment.put("EVENTSTORE_MIRROR_ENABLED", "false"); // the tests drive the mirror themselves
        return BridgeConfig.load(new Properties(), environment);
    }

    @BeforeEach
    void startBridge() throws Exception {
        bridge = EventBridge.start(config(), false);
        bridge.ready().get(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        bridge.close();
        support.dropSlot();
    }

    private void append(String stream, int count) {
        for (int i = 0; i < count; i++) {
            support.store().append(stream, ExpectedVersion.ANY, EventData.of("Tick", "{\"i\":" + i + "}"));
        }
    }

    /** A plain consumer of the group: reads {@code count} records, commits, leaves the group. */
    private List<ConsumerRecord<String, byte[]>> consume(int count) {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", TestKafka.bootstrapServers());
        properties.put("group.id", group);
        properties.put("auto.offset.reset", "earliest");
        properties.put("enable.auto.commit", "false");
        properties.put("max.poll.records", Integer.toString(count));
        List<ConsumerRecord<String, byte[]>> records = new java.util.ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer())) {
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

    private Map<String, Long> rows() {
        return support.store().subscriptions().positions(group).stream()
                .collect(Collectors.toMap(SubscriptionPosition::streamId, SubscriptionPosition::lastSeenStreamVersion));
    }

    private static Map<String, Long> lastVersions(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().collect(Collectors.toMap(ConsumerRecord::key,
                r -> Long.parseLong(dev.eventstore.testing.EventRecordContract.header(r, "ce_streamversion")), Math::max));
    }

    @Test
    void mirrorRecordsWhatAPlainConsumerGroupConsumedAndSurvivesARestart() throws Exception {
        append("game-a", 10);
        append("game-b", 5);
        TestKafka.readUntil(support.topics(), r -> r.size() >= 15, TIMEOUT);
        List<ConsumerRecord<String, byte[]>> first = consume(15);
        try (OffsetMirror mirror = new OffsetMirror(config())) {
            assertThat(mirror.mirrorOnce()).isPositive();
        }
        assertThat(rows()).isEqualTo(lastVersions(first)).containsEntry("game-a", 10L).containsEntry("game-b", 5L);

        append("game-a", 4);
        TestKafka.readUntil(support.topics(), r -> r.size() >= 19, TIMEOUT);
        consume(4);
        try (OffsetMirror restarted = new OffsetMirror(config())) {
            restarted.mirrorOnce();
            assertThat(restarted.mirrorOnce()).as("a second pass finds nothing new").isZero();
        }
        assertThat(rows()).containsEntry("game-a", 14L).containsEntry("game-b", 5L);
        assertThat(support.store().subscriptions().positions(group))
                .allSatisfy(p -> assertThat(p.metadata()).contains("\"offset\"", "\"topic\""));
    }

    @Test
    void statusShowsEachGroupsLagPerCategory() throws Exception {
        append("game-s", 8);
        append("player-s", 2);
        TestKafka.readUntil(support.topics(), r -> r.size() >= 10, TIMEOUT);
        consume(10);
        append("game-s", 3);
        TestKafka.readUntil(support.topics(), r -> r.size() >= 13, TIMEOUT);

        Cli.Result status = cli.run("status");
        assertThat(status.exitCode()).as(status.all()).isZero();
        assertThat(status.out()).contains("slot " + support.environment().get("EVENTSTORE_SLOT_NAME") + ": active")
                .contains("last event published: 20");
        String gameLine = status.out().lines().filter(l -> l.contains(group) && l.contains(" game ")).findFirst().orElseThrow();
        assertThat(gameLine).matches(".*\\s3\\s+\\d+\\.\\d\\s+kafka.*");
        String playerLine = status.out().lines().filter(l -> l.contains(group) && l.contains(" player ")).findFirst().orElseThrow();
        assertThat(playerLine).matches(".*\\s0\\s+0\\.0\\s+kafka.*");

        Cli.Result json = cli.run("status", "--json");
        assertThat(json.exitCode()).isZero();
        assertThat(json.out()).contains("\"group\" : \"" + group + "\"", "\"lagEvents\" : 3");
    }

    @Test
    void replayToSubscriptionsAndToTime() throws Exception {
        append("game-r", 12);
        List<ConsumerRecord<String, byte[]>> all = TestKafka.readUntil(support.topics(), r -> r.size() >= 12, TIMEOUT);
        consume(12);
        try (OffsetMirror mirror = new OffsetMirror(config())) {
            mirror.mirrorOnce();
        }
        TopicPartition partition = new TopicPartition(all.get(0).topic(), all.get(0).partition());

        Cli.Result toEarliest = cli.run("replay", "--group", group, "--to-earliest");
        assertThat(toEarliest.exitCode()).as(toEarliest.all()).isZero();
        assertThat(committed(partition)).isZero();

        Cli.Result dryRun = cli.run("replay", "--group", group, "--to-subscriptions", "--dry-run");
        assertThat(dryRun.exitCode()).as(dryRun.all()).isZero();
        assertThat(dryRun.out()).contains("Dry run: group " + group + " would replay 0 events; nothing changed.");
        assertThat(committed(partition)).as("a dry run changes nothing").isZero();

        Cli.Result toSubscriptions = cli.run("replay", "--group", group, "--to-subscriptions");
        assertThat(toSubscriptions.exitCode()).as(toSubscriptions.all()).isZero();
        assertThat(committed(partition)).as("resumes after the last recorded event").isEqualTo(all.get(11).offset() + 1);

        ConsumerRecord<String, byte[]> middle = all.get(6);
        Instant time = Instant.ofEpochMilli(middle.timestamp());
        long expected = all.stream().filter(r -> r.timestamp() >= middle.timestamp()).mapToLong(ConsumerRecord::offset).min().orElseThrow();
        Cli.Result toTime = cli.run("replay", "--group", group, "--to-time", time.toString());
        assertThat(toTime.exitCode()).as(toTime.all()).isZero();
        assertThat(committed(partition)).as("the first event at or after T").isEqualTo(expected);
    }

    private long committed(TopicPartition partition) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).get(partition);
            return offset == null ? -1 : offset.offset();
        }
    }

    @Test
    void replayRefusesBadInput() throws Exception {
        Cli.Result unknown = cli.run("replay", "--group", "nobody-" + System.nanoTime(), "--to-earliest");
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(unknown.err()).startsWith("eventstore: unknown group nobody-");

        Cli.Result future = cli.run("replay", "--group", group, "--to-time", Instant.now().plusSeconds(3600).toString());
        assertThat(future.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(future.err()).contains("is in the future");

        Cli.Result malformed = cli.run("replay", "--group", group, "--to-time", "yesterday");
        assertThat(malformed.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(malformed.err()).startsWith("eventstore: invalid --to-time 'yesterday'");

        append("game-active", 1);
        TestKafka.readUntil(support.topics(), r -> r.size() >= 1, TIMEOUT);
        Properties properties = new Properties();
        properties.put("bootstrap.servers", TestKafka.bootstrapServers());
        properties.put("group.id", group);
        properties.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<String, byte[]> active = new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer())) {
            active.subscribe(java.util.regex.Pattern.compile(support.topics()));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (active.assignment().isEmpty() && System.nanoTime() < deadline) {
                active.poll(Duration.ofMillis(200));
            }
            Cli.Result refused = cli.run("replay", "--group", group, "--to-earliest");
            assertThat(refused.exitCode()).isEqualTo(ExitCodes.FAILURE);
            assertThat(refused.err()).startsWith("eventstore: group " + group + " has 1 active member(s): stop its consumers");
        }
    }
}
