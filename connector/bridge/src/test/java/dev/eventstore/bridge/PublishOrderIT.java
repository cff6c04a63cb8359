package dev.eventstore.bridge;

import static dev.eventstore.testing.EventRecordContract.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.embedded.EmbeddedKafkaBroker;
import dev.eventstore.testing.TestKafka;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each stream stays in order whatever Kafka refuses: no record of a partition reaches Kafka after
 * one that could not be sent, and an event Kafka cannot take for its size or time never wedges
 * the bridge.
 */
class PublishOrderIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String BIG = "{\"blob\":\"" + "x".repeat(20_000) + "\"}";

    private final BridgeTestSupport support = new BridgeTestSupport();
    private EventBridge bridge;
    private EmbeddedKafkaBroker ownBroker;

    @TempDir
    Path directory;

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
        support.dropSlot();
        if (ownBroker != null) {
            ownBroker.close();
        }
    }

    @Test
    void anEventAtTheStoresSizeLimitIsPublishedWithEveryDefault() throws Exception {
        bridge = start(support.config());
        // Type and data together are exactly the library's default limit (1 MiB).
        String data = "{\"pad\":\"" + "x".repeat(1_048_563) + "\"}";
        assertThat("Big".length() + data.length()).isEqualTo(1_048_576);
        support.store.append("lim-1", ExpectedVersion.NO_STREAM, EventData.of("Big", data));
        support.store.append("lim-1", ExpectedVersion.exactly(1), EventData.of("Small", "{}"));

        List<ConsumerRecord<String, byte[]>> records = TestKafka.readUntil(topic("lim"), r -> r.size() >= 2, TIMEOUT);
        assertThat(versions(records, "lim-1")).containsExactly(1L, 2L);
        assertThat(records.get(0).value()).as("the whole event (jsonb adds a space after the colon)").hasSize(data.length() + 1);
        assertThat(bridge.terminated()).isNotDone();
    }

    @Test
    void aRecordTheTopicCannotTakeStopsTheBridgeBeforeAnyLaterEventOfItsStream() throws Exception {
        String topic = support.topicPrefix + ".lim";
        try (Admin admin = admin()) {
            admin.createTopics(Set.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("max.message.bytes", "10240"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        bridge = start(support.config());
        appendBigThenTwoSmall("lim-1");

        ExecutionException stopped = catchThrowableOfType(() -> bridge.terminated().get(60, TimeUnit.SECONDS),
                ExecutionException.class);
        assertThat(stopped).as("the bridge stops").isNotNull();
        assertThat(stopped.getCause().getMessage())
                .startsWith("event " + eventId("lim-1", 1) + " (stream lim-1, version 1, topic " + topic
                        + ") is too large for Kafka: the record is up to ")
                .contains("topic " + topic + " takes at most 10240 (max.message.bytes)")
                .contains("the bridge resumes from this event");
        assertThat(endOffset(topic)).as("nothing of the stream reached Kafka").isZero();

        // The operator raises the limit and restarts: the stream arrives whole and in order.
        bridge.close();
        raiseLimit(topic, "2097152");
        bridge = start(support.config());
        List<ConsumerRecord<String, byte[]>> records = TestKafka.readUntil(Pattern.quote(topic), r -> r.size() >= 3, TIMEOUT);
        assertThat(versions(records, "lim-1")).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aLimitLoweredWhileTheBridgeRunsStopsItWithNothingLaterOfThePartitionInKafka() throws Exception {
        String topic = support.topicPrefix + ".lim";
        bridge = start(support.config());
        support.store.append("lim-0", ExpectedVersion.NO_STREAM, EventData.of("First", "{}"));
        TestKafka.readUntil(Pattern.quote(topic), r -> r.size() >= 1, TIMEOUT); // the bridge has read the topic's limit

        // Lowered behind the bridge's back: the checks before sending cannot see it, Kafka refuses.
        try (Admin admin = admin()) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                    new ConfigEntry("max.message.bytes", "10240"), AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
            await().atMost(TIMEOUT).until(() -> "10240".equals(admin.describeConfigs(Set.of(resource)).all()
                    .get(30, TimeUnit.SECONDS).get(resource).get("max.message.bytes").value()));
        }
        appendBigThenTwoSmall("lim-1");

        ExecutionException stopped = catchThrowableOfType(() -> bridge.terminated().get(90, TimeUnit.SECONDS),
                ExecutionException.class);
        assertThat(stopped).as("the bridge stops").isNotNull();
        assertThat(stopped.getCause().getMessage())
                .startsWith("Kafka refused event " + eventId("lim-1", 1) + " (stream lim-1, version 1, topic " + topic + "): ")
                .contains("nothing after this event was published");
        List<ConsumerRecord<String, byte[]>> before = TestKafka.readToEnd(Pattern.quote(topic), 1, TIMEOUT);
        assertThat(versions(before, "lim-1")).as("no later event of the stream went ahead of the refused one").isEmpty();

        bridge.close();
        raiseLimit(topic, "2097152");
        bridge = start(support.config());
        List<ConsumerRecord<String, byte[]>> after = TestKafka.readUntil(Pattern.quote(topic),
                r -> versions(r, "lim-1").size() >= 3, TIMEOUT);
        assertThat(versions(after, "lim-1")).containsExactly(1L, 2L, 3L);
    }

    @Test
    void anEventOverTheProducersLimitIsParkedBeforeTheNextEventOfItsStreamIsSent() throws Exception {
        Map<String, Object> config = support.config();
        config.put(BridgeConfig.Key.ERRORS_POLICY, "dead-letter");
        bridge = start(config);
        // 1.5 MB, past the library's limit: written by SQL, beside the library.
        try (Connection connection = support.database.connect(); Statement sql = connection.createStatement()) {
            connection.setAutoCommit(false);
            sql.execute("INSERT INTO " + BridgeTestSupport.SCHEMA + ".event_streams (stream_id, stream_version)"
                    + " VALUES ('huge-1', 1)");
            sql.execute("INSERT INTO " + BridgeTestSupport.SCHEMA + ".events (stream_id, stream_version, event_type, data)"
                    + " VALUES ('huge-1', 1, 'Huge', jsonb_build_object('pad', repeat('x', 1500000)))");
            connection.commit();
        }
        support.store.append("huge-1", ExpectedVersion.exactly(1), EventData.of("Small", "{}"));

        List<ConsumerRecord<String, byte[]>> dead = TestKafka.readUntil(
                Pattern.quote(support.topicPrefix + ".dead-letter"), r -> r.size() >= 1, TIMEOUT);
        assertThat(header(dead.get(0), "ce_streamversion")).isEqualTo("1");
        assertThat(header(dead.get(0), "eventstore_error_reason"))
                .startsWith("RecordTooLargeException: the record is up to ")
                .endsWith("more than topic " + support.topicPrefix + ".huge (max.message.bytes) and the bridge"
                        + " (producer.max.request.size) take (1114112)");
        assertThat(dead.get(0).value()).as("parked without its value").isNull();
        assertThat(Long.parseLong(header(dead.get(0), "eventstore_error_value_dropped_bytes"))).isGreaterThan(1_500_000);
        List<ConsumerRecord<String, byte[]>> records = TestKafka.readUntil(topic("huge"), r -> r.size() >= 1, TIMEOUT);
        assertThat(versions(records, "huge-1")).containsExactly(2L);
        assertThat(bridge.terminated()).isNotDone();
    }

    @Test
    void eventsWhoseTimeKafkaWouldRefuseArePublishedWithTheirTimeInCeTime() throws Exception {
        bridge = start(support.config());
        support.store.append("time-1", ExpectedVersion.NO_STREAM, EventData.of("Now", "{}"));
        long before = System.currentTimeMillis();
        // Written by SQL, as an operator's import might: before 1970, and two hours ahead.
        try (Connection connection = support.database.connect(); Statement sql = connection.createStatement()) {
            connection.setAutoCommit(false);
            sql.execute("UPDATE " + BridgeTestSupport.SCHEMA + ".event_streams SET stream_version = 3 WHERE stream_id = 'time-1'");
            sql.execute("INSERT INTO " + BridgeTestSupport.SCHEMA + ".events (stream_id, stream_version, event_type, data, created_at)"
                    + " VALUES ('time-1', 2, 'Old', '{}', '1900-01-01 00:00:00'),"
                    + " ('time-1', 3, 'Ahead', '{}', (now() AT TIME ZONE 'UTC') + interval '2 hours')");
            connection.commit();
        }
        support.store.append("time-1", ExpectedVersion.exactly(3), EventData.of("After", "{}"));

        List<ConsumerRecord<String, byte[]>> records = TestKafka.readUntil(topic("time"), r -> r.size() >= 4, TIMEOUT);
        long after = System.currentTimeMillis();
        assertThat(versions(records, "time-1")).containsExactly(1L, 2L, 3L, 4L);
        assertThat(header(records.get(1), "ce_time")).isEqualTo("1900-01-01T00:00:00.000000Z");
        assertThat(header(records.get(2), "ce_time")).isNotNull();
        for (ConsumerRecord<String, byte[]> stamped : List.of(records.get(1), records.get(2))) {
            assertThat(stamped.timestamp()).as("stamped by Kafka's producer when sent").isBetween(before, after);
        }
        assertThat(bridge.terminated()).isNotDone();
    }

    @Test
    void kafkaGoneLongerThanTheDeliveryTimeoutIsNotCalledARefusal() throws Exception {
        ownBroker = EmbeddedKafkaBroker.start(directory.resolve("kafka"), 0, 0, Map.of());
        Map<String, Object> config = support.config();
        config.put(BridgeConfig.Key.KAFKA_BOOTSTRAP_SERVERS, ownBroker.bootstrapServers());
        config.put("kafka.delivery.timeout.ms", "6000");
        config.put("kafka.request.timeout.ms", "2000");
        // A send waits up to max.block.ms (60 s by default) for the metadata of a broker that is gone.
        config.put("kafka.max.block.ms", "6000");
        bridge = start(config);
        support.store.append("gone-1", ExpectedVersion.NO_STREAM, EventData.of("First", "{}"));
        await().atMost(TIMEOUT).until(() -> bridge.metrics().publishedCount() >= 1);

        ownBroker.close();
        ownBroker = null;
        support.store.append("gone-1", ExpectedVersion.exactly(1), EventData.of("Second", "{}"));

        ExecutionException stopped = catchThrowableOfType(() -> bridge.terminated().get(90, TimeUnit.SECONDS),
                ExecutionException.class);
        assertThat(stopped).as("the bridge stops").isNotNull();
        assertThat(stopped.getCause().getMessage())
                .startsWith("Kafka did not acknowledge event " + eventId("gone-1", 2))
                .contains("within delivery.timeout.ms (6000 ms)")
                .contains("Kafka refused nothing")
                .doesNotContain("Kafka refused event");
        // The bridge stopping itself and the engine's thread ending do not wait on each other.
        long closing = System.nanoTime();
        bridge.close();
        assertThat((System.nanoTime() - closing) / 1_000_000).as("ms to close a bridge that stopped itself, far below"
                + " the 60 s close allows the engine's thread").isLessThan(30_000);
    }

    private EventBridge start(Map<String, Object> config) throws Exception {
        EventBridge started = EventBridge.start(new BridgeConfig(config), false);
        started.ready().get(60, TimeUnit.SECONDS);
        return started;
    }

    private void appendBigThenTwoSmall(String stream) {
        support.store.append(stream, ExpectedVersion.NO_STREAM, EventData.of("Big", BIG));
        support.store.append(stream, ExpectedVersion.exactly(1), EventData.of("Small", "{}"));
        support.store.append(stream, ExpectedVersion.exactly(2), EventData.of("Small", "{}"));
    }

    private long eventId(String stream, long version) {
        return support.store.readStreamForward(stream, version, 1).get(0).eventId();
    }

    private String topic(String category) {
        return Pattern.quote(support.topicPrefix + "." + category);
    }

    private static Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()));
    }

    private static void raiseLimit(String topic, String bytes) throws Exception {
        try (Admin admin = admin()) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                    new ConfigEntry("max.message.bytes", bytes), AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static long endOffset(String topic) throws Exception {
        try (Admin admin = admin()) {
            int partitions = admin.describeTopics(Set.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            long total = 0;
            for (int p = 0; p < partitions; p++) {
                TopicPartition partition = new TopicPartition(topic, p);
                total += admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
                        .get(30, TimeUnit.SECONDS).offset();
            }
            return total;
        }
    }

    /** The stream's versions in the order Kafka holds them (one stream is in one partition). */
    private static List<Long> versions(Collection<ConsumerRecord<String, byte[]>> records, String stream) {
        return records.stream().filter(r -> stream.equals(r.key()))
                .sorted(java.util.Comparator.comparingLong(ConsumerRecord::offset))
                .map(r -> Long.parseLong(header(r, "ce_streamversion"))).toList();
    }
}
