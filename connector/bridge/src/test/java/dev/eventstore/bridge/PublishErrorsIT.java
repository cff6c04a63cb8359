package dev.eventstore.bridge;

import static dev.eventstore.testing.EventRecordContract.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.testing.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A record Kafka cannot take never disappears silently. */
class PublishErrorsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final BridgeTestSupport support = new BridgeTestSupport();
    private EventBridge bridge;

    @BeforeEach
    void smallTopic() throws Exception {
        // The "big" category's topic takes records of at most 2 kB.
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            admin.createTopics(Set.of(new NewTopic(support.topicPrefix + ".big", 1, (short) 1)
                    .configs(Map.of("max.message.bytes", "2048")))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
        support.dropSlot();
    }

    private void appendTooLargeThenSmall() {
        support.store.append("big-1", ExpectedVersion.NO_STREAM,
                EventData.of("Snapshot", "{\"blob\":\"" + "x".repeat(10_000) + "\"}"));
        support.store.append("game-1", ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"));
    }

    @Test
    void byDefaultTheBridgeStopsAndNamesTheEvent() throws Exception {
        bridge = EventBridge.start(new BridgeConfig(support.config()), false);
        bridge.ready().get(60, TimeUnit.SECONDS);
        appendTooLargeThenSmall();
        long eventId = support.store.readStreamForward("big-1", 1, 1).get(0).eventId();

        ExecutionException stopped = org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> bridge.terminated().get(60, TimeUnit.SECONDS), ExecutionException.class);
        assertThat(stopped).as("the bridge stops").isNotNull();
        assertThat(stopped.getCause()).hasMessageStartingWith("event " + eventId
                + " (stream big-1, version 1, topic " + support.topicPrefix + ".big) is too large for Kafka: ")
                .hasMessageContaining("errors.policy=dead-letter");
        assertThat(bridge.health().up()).isFalse();
        assertThat(bridge.health().failure()).startsWith("event " + eventId);
    }

    @Test
    void aMissingTopicTheBridgeMayNotCreateIsNamed() throws Exception {
        Map<String, Object> config = support.config();
        config.put(BridgeConfig.Key.TOPIC_CREATE, false);
        bridge = EventBridge.start(new BridgeConfig(config), false);
        bridge.ready().get(60, TimeUnit.SECONDS);
        support.store.append("player-1", ExpectedVersion.NO_STREAM, EventData.of("PlayerJoined", "{}"));

        ExecutionException stopped = org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> bridge.terminated().get(60, TimeUnit.SECONDS), ExecutionException.class);
        assertThat(stopped).as("the bridge stops").isNotNull();
        assertThat(stopped.getCause()).hasMessage("Kafka topic " + support.topicPrefix + ".player does not exist and"
                + " topic.create=false: create it (cleanup.policy=delete) or allow the bridge to");
    }

    @Test
    void withDeadLetterPolicyTheRecordIsParkedAndTheBridgeCarriesOn() throws Exception {
        Map<String, Object> config = support.config();
        config.put(BridgeConfig.Key.ERRORS_POLICY, "dead-letter");
        bridge = EventBridge.start(new BridgeConfig(config), false);
        bridge.ready().get(60, TimeUnit.SECONDS);
        appendTooLargeThenSmall();

        List<ConsumerRecord<String, byte[]>> dead = TestKafka.readUntil(
                java.util.regex.Pattern.quote(support.topicPrefix + ".dead-letter"), r -> r.size() >= 1, TIMEOUT);
        assertThat(dead.get(0).key()).isEqualTo("big-1");
        assertThat(header(dead.get(0), "eventstore_error_topic")).isEqualTo(support.topicPrefix + ".big");
        assertThat(header(dead.get(0), "eventstore_error_reason")).startsWith("RecordTooLargeException");
        assertThat(header(dead.get(0), "ce_streamversion")).isEqualTo("1");

        List<ConsumerRecord<String, byte[]>> games = TestKafka.readUntil(
                java.util.regex.Pattern.quote(support.topicPrefix + ".game"), r -> r.size() >= 1, TIMEOUT);
        assertThat(games.get(0).key()).isEqualTo("game-1");
        assertThat(bridge.terminated()).isNotDone();
    }
}
