package dev.eventstore.bench;

import dev.eventstore.AppendResult;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.connect.EventRecordHeaders;
import dev.eventstore.simulation.GameSimulation;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The benchmark's Kafka helpers: producers and consumers with the bridge's settings, topics as the
 * bridge creates them, and a consumer that notes when each event arrives.
 */
final class BenchKafka {

    private BenchKafka() {
    }

    static Producer<byte[], byte[]> producer(String bootstrapServers, String clientId) {
        return producer(bootstrapServers, clientId, Map.of());
    }

    /** {@link #producer(String, String)} with some settings changed (larger batches to fill a topic). */
    static Producer<byte[], byte[]> producer(String bootstrapServers, String clientId, Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        // The bridge's producer settings (EventBridge): acks=all, idempotent, linger 0.
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_048_576 + 65_536);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.putAll(overrides);
        return new KafkaProducer<>(config);
    }

    static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "eventstore-bench-consumer");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return new KafkaConsumer<>(config);
    }

    static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : infos) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        return partitions;
    }

    /**
     * Creates {@code topic} as the bridge would (cleanup.policy=delete) unless it exists, and
     * returns once every partition has a leader: an idempotent producer's first send to a
     * partition without one is refused, and its batches behind it then fail out of sequence.
     */
    static void createTopic(Admin admin, String topic) throws Exception {
        NewTopic newTopic = new NewTopic(topic, Optional.of(PipelineWorkloads.PARTITIONS), Optional.empty())
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE));
        try {
            admin.createTopics(Set.of(newTopic)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                TopicDescription description = admin.describeTopics(Set.of(topic)).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get(topic);
                if (description != null && !description.partitions().isEmpty() && description.partitions().stream()
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + topic + " has no leader for every partition after 30 s");
            }
            Thread.sleep(50); // polling the broker's metadata, bounded by the deadline
        }
    }

    /**
     * Sends one record to each partition and waits for it, before anything is timed: on a topic
     * just created, the broker can refuse a partition's first batch (not yet its leader) after the
     * admin client reported a leader, and the idempotent producer's batches behind it then loop on
     * OUT_OF_ORDER_SEQUENCE_NUMBER. Bounded: 30 s per partition. Without a {@code sample}, the
     * records carry no event id header, so no consumer of the benchmark counts them.
     */
    static void acceptedByEveryPartition(Producer<byte[], byte[]> producer, String topic,
                                                 ConsumerRecord<byte[], byte[]> sample) throws Exception {
        for (PartitionInfo partition : producer.partitionsFor(topic)) {
            ProducerRecord<byte[], byte[]> record = sample == null
                    ? new ProducerRecord<>(topic, partition.partition(), "bench-probe".getBytes(StandardCharsets.UTF_8),
                            "{}".getBytes(StandardCharsets.UTF_8))
                    : new ProducerRecord<>(topic, partition.partition(), sample.timestamp(), sample.key(), sample.value(),
                            sample.headers());
            producer.send(record).get(30, TimeUnit.SECONDS);
        }
    }

    static List<ConsumerRecord<byte[], byte[]>> readBack(String bootstrapServers, String topic, int count) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(count);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers)) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (records.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (records.size() < count) {
                        records.add(record);
                    }
                }
            }
        }
        return records;
    }

    /**
     * A Kafka consumer on one topic in a thread of its own, noting when each event id (from a
     * header) arrives. Reads from the topic's end at the time it starts.
     */
    static final class Receiver implements AutoCloseable {

        private final Map<Long, Long> received = new ConcurrentHashMap<>();
        private final AtomicLong count = new AtomicLong();
        private final Thread thread;
        private volatile boolean stop;
        private volatile boolean countOnly;
        private volatile String failure;

        Receiver(String bootstrapServers, String topic, String idHeader) {
            KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers);
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            thread = new Thread(() -> {
                try (consumer) {
                    while (!stop) {
                        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                            count.incrementAndGet();
                            if (countOnly) {
                                continue;
                            }
                            long now = System.nanoTime();
                            Header header = record.headers().lastHeader(idHeader);
                            if (header != null && header.value() != null) {
                                received.putIfAbsent(parseId(header.value()), now);
                            }
                        }
                    }
                } catch (RuntimeException e) {
                    failure = LoadRunner.describe(e);
                }
            }, "bench-consumer-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        static long parseId(byte[] value) {
            String text = new String(value, StandardCharsets.UTF_8).trim();
            if (text.startsWith("\"") && text.endsWith("\"") && text.length() >= 2) {
                text = text.substring(1, text.length() - 1);
            }
            return Long.parseLong(text);
        }

        Long receivedAt(long id) {
            if (failure != null) {
                throw new IllegalStateException("the consumer failed: " + failure);
            }
            return received.get(id);
        }

        boolean receivedAll(List<Map.Entry<Long, Long>> commits) {
            for (Map.Entry<Long, Long> commit : commits) {
                if (receivedAt(commit.getKey()) == null) {
                    return false;
                }
            }
            return true;
        }

        /** Records received so far, every record counted (a duplicate too). */
        long count() {
            if (failure != null) {
                throw new IllegalStateException("the consumer failed: " + failure);
            }
            return count.get();
        }

        /** While set, records are only counted ({@link #count}), not noted by id: a long run at a high rate. */
        void countOnly(boolean value) {
            countOnly = value;
        }

        void forget(Set<Long> ids) {
            received.keySet().removeAll(ids);
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(10_000);
        }
    }
}
