package dev.eventstore.consumer;

import dev.eventstore.EventData;
import dev.eventstore.EventMetadata;
import dev.eventstore.EventStore;
import dev.eventstore.EventStoreConfig;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.RecordedEvent;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.serializer.EventSerializer;
import dev.eventstore.simulation.GameEvents;
import dev.eventstore.simulation.GameMode;
import dev.eventstore.simulation.GameScript;
import dev.eventstore.testing.TestDatabase;
import dev.eventstore.testing.TestKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the consumer's integration tests share: the shared PostgreSQL and Kafka of this JVM, one
 * migrated event store schema ({@value #SCHEMA}) reset before each test, a read model recreated
 * before each test, and per test its own topic names and group ids, so no test sees another's
 * records or offsets. Events are appended with the library and published by a plain producer in
 * the bridge's record format ({@link EventRecords}).
 */
final class ConsumerTestSupport {

    static final String SCHEMA = "consumer_it";
    static final EventSerializer SERIALIZER = GameEvents.serializer();
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static EventStore store;
    private static KafkaProducer<String, byte[]> producer;

    final TestDatabase database = TestDatabase.get();
    final String id;

    ConsumerTestSupport() {
        synchronized (ConsumerTestSupport.class) {
            if (store == null) {
                SchemaManager manager = new SchemaManager(database.dataSource(), SchemaName.of(SCHEMA), MigrationSource.builtIn());
                database.dropSchema(SCHEMA);
                manager.migrate();
                EventStore opened = EventStore.open(EventStoreConfig.of(database.settings(), SchemaName.of(SCHEMA))
                        .with(EventStoreConfig.POOL_MAX_SIZE, "16")
                        .with(EventStoreConfig.APPLICATION_NAME, "consumer-tests"));
                Runtime.getRuntime().addShutdownHook(new Thread(opened::close, "consumer-test-pool-close"));
                store = opened;
            }
            store.schemaManager().reset();
            ReadModel.recreate(database);
        }
        id = "c" + ProcessHandle.current().pid() + "x" + SEQUENCE.incrementAndGet();
    }

    EventStore store() {
        return store;
    }

    /** A topic of this test, created with {@code partitions}. */
    String createTopic(String name, int partitions) {
        String topic = "it." + id + "." + name;
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + topic + ": " + e.getMessage(), e);
        }
        return topic;
    }

    /** A consumer group id of this test. */
    String group(String name) {
        return name + "-" + id;
    }

    static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()));
    }

    /** The group's committed Kafka offsets. */
    static Map<TopicPartition, OffsetAndMetadata> committedOffsets(String group) {
        try (Admin admin = admin()) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the offsets of " + group + ": " + e.getMessage(), e);
        }
    }

    /**
     * Plays {@code count} games (streams {@code game-<id>-<n>}) and appends them with the library,
     * command by command as a game server does; returns every stored event, stream by stream.
     */
    List<RecordedEvent> appendGames(int first, int count) {
        List<RecordedEvent> stored = new ArrayList<>();
        for (int n = first; n < first + count; n++) {
            String streamId = streamId(n);
            GameScript.Game game = GameScript.play(GameMode.values()[n % GameMode.values().length], streamId,
                    new Random(n), Instant.parse("2024-05-01T12:00:00Z"));
            for (GameScript.Command command : game.commands()) {
                EventMetadata metadata = EventMetadata.builder().correlationId(streamId).causationId(command.commandId())
                        .actor(command.actor()).build();
                List<EventData> batch = command.events().stream().map(e -> SERIALIZER.toEventData(e, metadata)).toList();
                store.append(streamId, ExpectedVersion.ANY, batch);
            }
            stored.addAll(store.readStreamForward(streamId, 1, 10_000));
        }
        return stored;
    }

    /** The stream of game {@code n} of this test. */
    String streamId(int n) {
        return "game-" + id + "-" + n;
    }

    /** The partition Kafka's default partitioner gives a record keyed by {@code streamId} (murmur2 of the key). */
    static int partitionOf(String streamId, int partitions) {
        return org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2(streamId.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                % partitions;
    }

    /** Publishes {@code events} to {@code topic} in the bridge's binary format (key = stream: one partition per stream). */
    static List<RecordMetadata> publish(List<RecordedEvent> events, String topic) {
        List<ProducerRecord<String, byte[]>> records = events.stream().map(e -> EventRecords.binary(e, topic)).toList();
        return send(records);
    }

    static List<RecordMetadata> send(List<ProducerRecord<String, byte[]>> records) {
        List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
        for (ProducerRecord<String, byte[]> record : records) {
            sent.add(producer().send(record));
        }
        List<RecordMetadata> acknowledged = new ArrayList<>();
        try {
            for (var future : sent) {
                acknowledged.add(future.get(30, TimeUnit.SECONDS));
            }
        } catch (Exception e) {
            throw new IllegalStateException("publishing failed: " + e.getMessage(), e);
        }
        return acknowledged;
    }

    private static synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Map<String, Object> config = new HashMap<>();
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            config.put(ProducerConfig.LINGER_MS_CONFIG, "0");
            KafkaProducer<String, byte[]> created = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> created.close(Duration.ofSeconds(5)), "consumer-test-producer-close"));
            producer = created;
        }
        return producer;
    }

    /** The subscriber settings of this test: fast retries, short close; override entries as a test needs. */
    static Map<String, Object> subscriberConfig(String group, String topic) {
        return subscriberConfig(group, topic, TestKafka.bootstrapServers());
    }

    /** {@link #subscriberConfig(String, String)} for the broker at {@code bootstrapServers} (a child JVM has no TestKafka). */
    static Map<String, Object> subscriberConfig(String group, String topic, String bootstrapServers) {
        Map<String, Object> config = new HashMap<>();
        config.put(CheckpointingSubscriberConfig.Key.GROUP_ID, group);
        config.put(CheckpointingSubscriberConfig.Key.TOPICS, topic);
        config.put(CheckpointingSubscriberConfig.Key.BOOTSTRAP_SERVERS, bootstrapServers);
        config.put(CheckpointingSubscriberConfig.Key.POLL_TIMEOUT_MS, 100);
        // Small polls: a member rejoins a rebalance after at most 50 events, so partitions move quickly.
        config.put(CheckpointingSubscriberConfig.Key.MAX_POLL_RECORDS, 50);
        config.put(CheckpointingSubscriberConfig.Key.RETRY_BACKOFF_INITIAL_MS, 20);
        config.put(CheckpointingSubscriberConfig.Key.RETRY_BACKOFF_MAX_MS, 200);
        config.put(CheckpointingSubscriberConfig.Key.CLOSE_TIMEOUT_MS, 20_000);
        config.put("kafka.metadata.max.age.ms", "500");
        return config;
    }

    CheckpointingSubscriber subscriber(Map<String, Object> config, EventHandler handler) {
        return CheckpointingSubscriber.builder(config).eventStore(store).serializer(SERIALIZER).handler(handler).build();
    }

    /** Waits for {@code condition}, checking every 20 ms; fails with {@code what} after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            }
        }
    }

    /** Points per player, from the stored events: what the read model must hold once every event is applied once. */
    static Map<String, Long> expectedScores(List<RecordedEvent> events) {
        return events.stream()
                .map(e -> SERIALIZER.deserialize(e))
                .filter(e -> e instanceof dev.eventstore.simulation.GuessProcessed g && g.correct())
                .map(e -> (dev.eventstore.simulation.GuessProcessed) e)
                .collect(Collectors.groupingBy(dev.eventstore.simulation.GuessProcessed::playerId,
                        Collectors.summingLong(dev.eventstore.simulation.GuessProcessed::points)));
    }
}
