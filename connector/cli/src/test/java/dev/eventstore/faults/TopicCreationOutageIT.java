package dev.eventstore.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.bridge.TopicManager;
import dev.eventstore.embedded.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A topic's first use while Kafka is away waits for Kafka instead of stopping the bridge: the
 * broker is stopped, the bridge's topic manager asked for a new topic, and the broker started
 * again on the same port 6 s later, after several of the manager's calls to Kafka have failed;
 * the topic is then created and in use.
 */
class TopicCreationOutageIT {

    @TempDir
    Path directory;

    private EmbeddedKafkaBroker broker;

    @AfterEach
    void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aNewTopicWhileTheBrokerIsAwayIsCreatedOnceItIsBack() throws Exception {
        Path logs = directory.resolve("kafka");
        broker = EmbeddedKafkaBroker.start(logs, 0, 0, Map.of());
        int port = broker.port();
        int controllerPort = broker.controllerPort();
        String servers = broker.bootstrapServers();
        Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, servers,
                // Calls give up after 2 s, so that the 6 s outage fails several of them: the topic
                // manager must try again rather than stop.
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
        try (Admin admin = Admin.create(client);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            TopicManager topics = new TopicManager(admin, producer, true, 3, (short) -1, -1, 1_048_576);
            topics.ensureExists("outage.before"); // the clients know the broker

            broker.close();
            broker = null;
            CompletableFuture<Void> created = CompletableFuture.runAsync(() -> {
                try {
                    topics.ensureExists("outage.during");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(Duration.ofSeconds(6).toMillis()); // the outage itself: the condition under test
            assertThat(created).as("waiting for Kafka, not failed").isNotDone();

            broker = EmbeddedKafkaBroker.start(logs, port, controllerPort, Map.of());
            created.get(90, TimeUnit.SECONDS);
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("outage.before", "outage.during");
        }
    }
}
