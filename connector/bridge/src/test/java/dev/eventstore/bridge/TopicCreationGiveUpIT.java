package dev.eventstore.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.eventstore.embedded.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.Map;
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
 * A topic's first use while Kafka stays away ends: the topic manager tries again up to its limit
 * (the producer's delivery.timeout.ms in the bridge, 3 s here), then stops with one line naming
 * the topic, as a send that Kafka never acknowledges does.
 */
class TopicCreationGiveUpIT {

    private static final long LIMIT_MS = 3_000;

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
    void aNewTopicWhileKafkaStaysAwayStopsWithOneLineAfterTheLimit() throws Exception {
        broker = EmbeddedKafkaBroker.start(directory.resolve("kafka"), 0, 0, Map.of());
        String servers = broker.bootstrapServers();
        // Each call to Kafka gives up after 2 s, so that the limit is reached after a retry.
        Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, servers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
        try (Admin admin = Admin.create(client);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            TopicManager topics = new TopicManager(admin, producer, true, 1, (short) -1, -1, 1_048_576, LIMIT_MS);
            topics.ensureExists("giveup.before"); // the clients know the broker

            broker.close();
            broker = null;
            long started = System.nanoTime();
            Throwable failure = catchThrowable(() -> topics.ensureExists("giveup.during"));
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            assertThat(failure).isInstanceOf(BridgeException.class).hasMessageContaining("giveup.during");
            assertThat(failure.getMessage()).doesNotContain("\n");
            assertThat(elapsedMs).as("tried again until the limit, then gave up").isGreaterThanOrEqualTo(LIMIT_MS)
                    .isLessThan(60_000);
        }
    }
}
