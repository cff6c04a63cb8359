package dev.eventstore.testing;

import dev.eventstore.embedded.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The Kafka broker of this test JVM: started once, shared, stopped at exit. */
public final class TestKafka {

    private static EmbeddedKafkaBroker broker;

    private TestKafka() {
    }

    public static synchronized EmbeddedKafkaBroker broker() {
        if (broker == null) {
            broker = EmbeddedKafkaBroker.start(Map.of("message.max.bytes", "2097152"));
            EmbeddedKafkaBroker started = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "embedded-kafka-stop"));
        }
        return broker;
    }

    public static String bootstrapServers() {
        return broker().bootstrapServers();
    }

    /** A consumer reading from the earliest offset in a fresh group. */
    public static KafkaConsumer<String, byte[]> consumer() {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "500");
        return new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Reads the topics matching {@code topicPattern} until {@code done} holds for what has been read,
     * or fails after {@code timeout}. Each Kafka record (topic, partition, offset) is returned once:
     * a pattern subscription rebalances when a matching topic appears, and this group commits no
     * offsets, so the consumer may be handed a partition again from its start; what it then reads
     * again is the same record, not a duplicate. Duplicates the writer produced (other offsets) stay.
     */
    public static List<ConsumerRecord<String, byte[]>> readUntil(String topicPattern,
                                                                 Predicate<List<ConsumerRecord<String, byte[]>>> done,
                                                                 Duration timeout) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(java.util.regex.Pattern.compile(topicPattern));
            long deadline = System.nanoTime() + timeout.toNanos();
            Set<String> positions = new HashSet<>();
            while (!done.test(records)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("after " + timeout + " only " + records.size() + " records on " + topicPattern);
                }
                addNew(consumer.poll(Duration.ofMillis(200)), positions, records);
            }
        }
        return records;
    }

    /**
     * Reads at least {@code minCount} records and on to the current end of every partition of
     * the matching topics, so that the result holds every record there is, duplicates included.
     * Use once the writer has stopped. Each Kafka record is returned once, as in
     * {@link #readUntil}.
     */
    public static List<ConsumerRecord<String, byte[]>> readToEnd(String topicPattern, int minCount, Duration timeout) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(java.util.regex.Pattern.compile(topicPattern));
            long deadline = System.nanoTime() + timeout.toNanos();
            Set<String> positions = new HashSet<>();
            while (true) {
                addNew(consumer.poll(Duration.ofMillis(200)), positions, records);
                if (records.size() >= minCount && !consumer.assignment().isEmpty()) {
                    var ends = consumer.endOffsets(consumer.assignment());
                    boolean atEnd = ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
                    if (atEnd) {
                        return records;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("after " + timeout + " only " + records.size() + " of at least " + minCount
                            + " records on " + topicPattern);
                }
            }
        }
    }

    private static void addNew(ConsumerRecords<String, byte[]> polled, Set<String> positions,
                               List<ConsumerRecord<String, byte[]>> records) {
        for (ConsumerRecord<String, byte[]> record : polled) {
            if (positions.add(record.topic() + "/" + record.partition() + "/" + record.offset())) {
                records.add(record);
            }
        }
    }
}
