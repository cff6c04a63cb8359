package dev.eventstore.testing.kafka;

import dev.eventstore.EventStoreConfig;
import dev.eventstore.connect.EventRecordHeaders;
import dev.eventstore.connect.TopicNames;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The Kafka side of an end-to-end test class: where its bridge publishes, settings for the
 * test's own consumers, and waits for a stream's records. Records are the bridge's (key: the
 * stream id; value: the event's data; {@code ce_*} headers, see {@link EventRecordHeaders}).
 *
 * <p>The waits count only events appended since the current test started: a test's topics may
 * still hold the records of the class's earlier tests (the store is reset, Kafka is not), and
 * event ids are never reused, so the records of earlier events are told apart by {@code ce_id}.
 */
public final class KafkaEvents {

    /** How long {@link #awaitRecords(String, int)} waits. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final String bootstrapServers;
    private final String topicPrefix;
    private final EventStoreConfig config;
    private volatile long lastEventIdBeforeTest;

    KafkaEvents(String bootstrapServers, String topicPrefix, EventStoreConfig config) {
        this.bootstrapServers = bootstrapServers;
        this.topicPrefix = topicPrefix;
        this.config = config;
    }

    /** The embedded broker's {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The bridge's {@code topic.prefix}: topics are {@code <prefix>.<category>}. */
    public String topicPrefix() {
        return topicPrefix;
    }

    /** The topic of {@code streamId}'s events ({@code game-42} → {@code <prefix>.game}). */
    public String topicOf(String streamId) {
        return TopicNames.categoryTopic(topicPrefix, streamId);
    }

    /** A regular expression matching every topic of this class's bridge. */
    public String topicPattern() {
        return java.util.regex.Pattern.quote(topicPrefix) + "\\..*";
    }

    /**
     * Settings for a consumer of this class's topics in group {@code groupId}: the broker, the
     * group, {@code auto.offset.reset=earliest}. Keys as {@code CheckpointingSubscriber} and
     * {@code KafkaConsumer} take them.
     */
    public Map<String, Object> consumerProperties(String groupId) {
        Map<String, Object> properties = new HashMap<>();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return properties;
    }

    /** {@link #awaitRecords(String, int, Duration)} with {@link #DEFAULT_TIMEOUT}. */
    public List<ConsumerRecord<String, byte[]>> awaitRecords(String streamId, int count) {
        return awaitRecords(streamId, count, DEFAULT_TIMEOUT);
    }

    /**
     * Waits until the records of at least {@code count} events of {@code streamId} appended in
     * this test are in Kafka, and returns them (each event once, in stream order).
     *
     * @throws AssertionError after {@code timeout}, saying how many there were
     */
    public List<ConsumerRecord<String, byte[]>> awaitRecords(String streamId, int count, Duration timeout) {
        String topic = topicOf(streamId);
        Map<Long, ConsumerRecord<String, byte[]>> byEventId = new java.util.TreeMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            boolean assigned = false;
            while (byEventId.size() < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("after " + timeout.toSeconds() + " s, " + byEventId.size() + " of " + count
                            + " records of stream " + streamId + " in topic " + topic);
                }
                if (!assigned) {
                    List<PartitionInfo> partitions = partitions(consumer, topic);
                    if (partitions == null || partitions.isEmpty()) {
                        sleep();
                        continue;
                    }
                    List<TopicPartition> assignment = partitions.stream()
                            .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
                    consumer.assign(assignment);
                    consumer.seekToBeginning(assignment);
                    assigned = true;
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    long eventId = eventId(record);
                    if (streamId.equals(record.key()) && eventId > lastEventIdBeforeTest) {
                        byEventId.putIfAbsent(eventId, record);
                    }
                }
            }
        }
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>(byEventId.values());
        records.sort(java.util.Comparator.comparingLong(KafkaEvents::streamVersion));
        return records;
    }

    /** The values of {@code records} as UTF-8 text (the events' data as JSON). */
    public static List<String> values(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(r -> r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    /** A record's header as text, or {@code null} when it has none of that name. */
    public static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** Notes the highest event id handed out so far: earlier events are not this test's. */
    void markTestStart() {
        String sql = "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM "
                + config.schema().value() + ".events_event_id_seq";
        try (Connection connection = DriverManager.getConnection(config.url(), config.user(), config.password());
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            lastEventIdBeforeTest = rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the store's event id sequence: " + e.getMessage(), e);
        }
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "eventstore-test-" + UUID.randomUUID());
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Waiting for a topic must not create it: the bridge creates its topics with its settings.
        properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        return new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** The topic's partitions; empty while the bridge has not created it. */
    private static List<PartitionInfo> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        try {
            return consumer.partitionsFor(topic, Duration.ofSeconds(5));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            return List.of();
        }
    }

    private static long eventId(ConsumerRecord<?, ?> record) {
        return parse(header(record, EventRecordHeaders.ID));
    }

    private static long streamVersion(ConsumerRecord<?, ?> record) {
        return parse(header(record, EventRecordHeaders.STREAM_VERSION));
    }

    private static long parse(String value) {
        try {
            return value == null ? -1 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for records", e);
        }
    }
}
