package dev.eventstore.testing.kafka;

import static dev.eventstore.testing.EventStoreExtension.createTestEvent;
import static dev.eventstore.testing.EventStoreExtension.createTestStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.connect.EventRecordHeaders;
import dev.eventstore.testing.EventStoreExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The end-to-end mode: appends reach Kafka through the class's bridge; waits see only the test's events. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndIT {

    @RegisterExtension
    static final EventStoreExtension STORE = EventStoreExtension.builder().endToEnd(true).build();

    @Test
    @Order(1)
    void appendedEventsArriveInTheStreamsTopic(KafkaEvents kafka) {
        createTestStream("game-1", List.of(
                createTestEvent("GameStarted", Map.of("mode", "race")),
                createTestEvent("GuessProcessed", Map.of("player", "p1"))));

        List<ConsumerRecord<String, byte[]>> records = kafka.awaitRecords("game-1", 2);

        assertThat(records).allSatisfy(r -> assertThat(r.topic()).isEqualTo(kafka.topicPrefix() + ".game"));
        assertThat(records).extracting(r -> KafkaEvents.header(r, EventRecordHeaders.TYPE))
                .containsExactly("GameStarted", "GuessProcessed");
        assertThat(KafkaEvents.values(records).get(0)).contains("\"race\"");
    }

    /** The store was reset and game-1 starts again at version 1; the first test's records stay in Kafka, unseen. */
    @Test
    @Order(2)
    void eachTestSeesOnlyItsOwnEvents(KafkaEvents kafka) {
        createTestStream("game-1", List.of(createTestEvent("GameStarted", Map.of("mode", "duel"))));

        List<ConsumerRecord<String, byte[]>> records = kafka.awaitRecords("game-1", 1);

        assertThat(records).singleElement().satisfies(r -> {
            assertThat(KafkaEvents.header(r, EventRecordHeaders.STREAM_VERSION)).isEqualTo("1");
            assertThat(KafkaEvents.values(List.of(r)).get(0)).contains("\"duel\"");
        });
        assertThatThrownBy(() -> kafka.awaitRecords("game-1", 2, Duration.ofSeconds(2)))
                .isInstanceOf(AssertionError.class)
                .hasMessage("after 2 s, 1 of 2 records of stream game-1 in topic " + kafka.topicOf("game-1"));
    }

    /** Waiting for a stream whose topic does not exist yet fails after the timeout and creates no topic. */
    @Test
    @Order(3)
    void waitingCreatesNoTopic(KafkaEvents kafka) throws Exception {
        assertThatThrownBy(() -> kafka.awaitRecords("lobby-1", 1, Duration.ofSeconds(2)))
                .isInstanceOf(AssertionError.class)
                .hasMessage("after 2 s, 0 of 1 records of stream lobby-1 in topic " + kafka.topicOf("lobby-1"));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            assertThat(admin.listTopics().names().get()).doesNotContain(kafka.topicOf("lobby-1"))
                    .contains(kafka.topicOf("game-1"));
        }
    }
}
