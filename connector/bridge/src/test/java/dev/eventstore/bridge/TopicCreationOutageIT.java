package dev.eventstore.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A topic's first use while Kafka is away: the broker is stopped after the clients know it, and
 * the topic manager asked for a new topic. It waits for Kafka instead of stopping the bridge, and
 * once Kafka has stayed away past its limit (the producer's delivery.timeout.ms in the bridge) it
 * stops with one line naming the topic, as a send Kafka never acknowledges does. Each call to
 * Kafka gives up after 2 s, so that an outage fails several of them.
 */
class TopicCreationOutageIT {

    @TempDir
    Path directory;

    private Path logs;
    private EmbeddedKafkaBroker broker;
    private Admin admin;
    private KafkaProducer<byte[], byte[]> producer;

    @BeforeEach
    void startBrokerAndClients() {
        logs = directory.resolve("kafka");
        broker = EmbeddedKafkaBroker.start(logs, 0, 0, Map.of());
        String servers = broker.bootstrapServers();
        admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, servers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000));
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000), new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void stopAll() {
        producer.close(Duration.ZERO);
        admin.close(Duration.ZERO);
        if (broker != null) {
            broker.close();
        }
    }

    /** A topic manager whose clients know the broker (a first topic is in use), with the broker then stopped. */
    private TopicManager managerWithBrokerStopped(long awayLimitMs) throws InterruptedException {
        TopicManager topics = new TopicManager(admin, producer, true, 3, (short) -1, -1, 1_048_576, awayLimitMs);
        topics.ensureExists("outage.before");
        broker.close();
        broker = null;
        return topics;
    }

    @Test
    void aNewTopicWhileTheBrokerIsAwayIsCreatedOnceItIsBack() throws Exception {
        int port = broker.port();
        int controllerPort = broker.controllerPort();
        TopicManager topics = managerWithBrokerStopped(120_000);
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

    @Test
    void aNewTopicWhileKafkaStaysAwayStopsWithOneLineAfterTheLimit() throws Exception {
        long limitMs = 3_000;
        TopicManager topics = managerWithBrokerStopped(limitMs);

        long started = System.nanoTime();
        Throwable failure = catchThrowable(() -> topics.ensureExists("outage.during"));
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(failure).isInstanceOf(BridgeException.class).hasMessageContaining("outage.during");
        assertThat(failure.getMessage()).doesNotContain("\n");
        assertThat(elapsedMs).as("tried again until the limit, then gave up").isGreaterThanOrEqualTo(limitMs)
                .isLessThan(60_000);
    }
}
