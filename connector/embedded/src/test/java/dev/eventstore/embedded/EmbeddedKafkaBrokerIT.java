package dev.eventstore.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void producesAndConsumesARecordAndLeavesNoNonDaemonThreadBehind() throws Exception {
        Set<Thread> threadsBefore = liveNonDaemonThreads();
        Path logDirectory;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            logDirectory = broker.logDirectory();
            assertThat(broker.isTemporary()).isTrue();
            assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + broker.port());
            assertThat(Files.isDirectory(logDirectory)).isTrue();

            String topic = "embedded-kafka-it";
            try (Admin admin = admin(broker)) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all()
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }

            RecordMetadata sent;
            try (KafkaProducer<String, String> producer = producer(broker)) {
                ProducerRecord<String, String> record = new ProducerRecord<>(topic, "game-42", "{\"score\":7}");
                record.headers().add("ce_id", "1".getBytes(StandardCharsets.UTF_8));
                sent = producer.send(record).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            assertThat(sent.offset()).isZero();

            List<ConsumerRecord<String, String>> received = consumeAll(broker, topic, 1);
            assertThat(received).hasSize(1);
            ConsumerRecord<String, String> record = received.get(0);
            assertThat(record.key()).isEqualTo("game-42");
            assertThat(record.value()).isEqualTo("{\"score\":7}");
            assertThat(new String(record.headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8)).isEqualTo("1");
        }

        assertThat(logDirectory).doesNotExist();
        // close() waits for the broker's threads; the wait here only covers threads that have been
        // told to stop and are returning from their last loop.
        await().pollInSameThread().atMost(TIMEOUT).untilAsserted(() -> assertThat(leftoverThreadNames(threadsBefore))
                .as("non-daemon threads left behind by the broker").isEmpty());
    }

    @Test
    void appliesExtraBrokerProperties() throws Exception {
        Set<Thread> threadsBefore = liveNonDaemonThreads();
        Map<String, String> extra = Map.of("message.max.bytes", "2097152", "auto.create.topics.enable", "false");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(extra); Admin admin = admin(broker)) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER,
                    Integer.toString(EmbeddedKafkaBroker.NODE_ID));
            Config config = admin.describeConfigs(List.of(resource)).all()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(resource);
            assertThat(config.get("message.max.bytes").value()).isEqualTo("2097152");
            assertThat(config.get("auto.create.topics.enable").value()).isEqualTo("false");
            assertThat(config.get("group.initial.rebalance.delay.ms").value()).isEqualTo("0");
            assertThat(config.get("transaction.state.log.min.isr").value()).isEqualTo("1");
        }
        await().pollInSameThread().atMost(TIMEOUT).untilAsserted(() -> assertThat(leftoverThreadNames(threadsBefore)).isEmpty());
    }

    @Test
    void keepsTopicsAndDataInAGivenLogDirectoryAcrossRestarts(@TempDir Path directory) throws Exception {
        Path logDirectory = directory.resolve("kafka");
        String topic = "kept-across-restarts";
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(logDirectory, Map.of())) {
            assertThat(broker.isTemporary()).isFalse();
            try (Admin admin = admin(broker)) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all()
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            try (KafkaProducer<String, String> producer = producer(broker)) {
                producer.send(new ProducerRecord<>(topic, "game-1", "{}")).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        assertThat(logDirectory.resolve("meta.properties")).exists();

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(logDirectory, Map.of())) {
            try (Admin admin = admin(broker)) {
                assertThat(admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).contains(topic);
            }
            assertThat(consumeAll(broker, topic, 1)).extracting(ConsumerRecord::key).containsExactly("game-1");
        }
        assertThat(logDirectory).isDirectory();
    }

    private static List<ConsumerRecord<String, String>> consumeAll(EmbeddedKafkaBroker broker, String topic, int expected) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static Admin admin(EmbeddedKafkaBroker broker) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafkaBroker broker) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), new StringSerializer());
    }

    private static Set<Thread> liveNonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && !thread.isDaemon())
                .collect(Collectors.toSet());
    }

    private static List<String> leftoverThreadNames(Set<Thread> before) {
        return liveNonDaemonThreads().stream()
                .filter(thread -> !before.contains(thread))
                .map(Thread::getName)
                .sorted()
                .collect(Collectors.toList());
    }
}
