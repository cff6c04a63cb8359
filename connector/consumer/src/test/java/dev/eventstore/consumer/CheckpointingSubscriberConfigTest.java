package dev.eventstore.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.consumer.CheckpointingSubscriberConfig.ErrorsPolicy;
import dev.eventstore.consumer.CheckpointingSubscriberConfig.Key;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class CheckpointingSubscriberConfigTest {

    private static Map<String, Object> minimal() {
        Map<String, Object> config = new HashMap<>();
        config.put(Key.GROUP_ID, "leaderboard");
        config.put(Key.TOPICS, "eventstore.game");
        config.put(Key.BOOTSTRAP_SERVERS, "localhost:9092");
        return config;
    }

    private static CheckpointingSubscriberConfig with(String key, Object value) {
        Map<String, Object> config = minimal();
        config.put(key, value);
        return new CheckpointingSubscriberConfig(config);
    }

    @Test
    void everyKeyIsTypedDefaultedValidatedAndDocumented() {
        for (ConfigDef.ConfigKey key : CheckpointingSubscriberConfig.CONFIG_DEF.configKeys().values()) {
            assertThat(key.documentation).as("documentation of %s", key.name).isNotBlank();
            assertThat(key.documentation.trim()).as("documentation of %s ends a sentence", key.name).endsWith(".");
            assertThat(key.displayName).as("display name of %s", key.name).isNotBlank();
            assertThat(key.group).as("group of %s", key.name).isNotBlank();
            assertThat(key.type).as("type of %s", key.name).isNotNull();
            assertThat(key.validator).as("validator of %s", key.name).isNotNull();
            assertThat(key.validator.toString()).as("validator of %s describes its values", key.name).doesNotContain("@");
            assertThat(key.name).matches("[a-z]+(\\.[a-z]+)*");
        }
        assertThat(CheckpointingSubscriberConfig.CONFIG_DEF.configKeys().values().stream()
                .filter(k -> !k.hasDefault()).map(k -> k.name))
                .as("only the group and the brokers are required").containsExactlyInAnyOrder(Key.GROUP_ID, Key.BOOTSTRAP_SERVERS);
    }

    @Test
    void defaults() {
        CheckpointingSubscriberConfig config = new CheckpointingSubscriberConfig(minimal());

        assertThat(config.subscriptionId()).isEqualTo("leaderboard");
        assertThat(config.topics()).containsExactly("eventstore.game");
        assertThat(config.topicPattern()).isNull();
        assertThat(config.errorsPolicy()).isEqualTo(ErrorsPolicy.FAIL);
        assertThat(config.deadLetterTopic()).isEqualTo("leaderboard.dead-letter");
        assertThat(config.retryAttempts()).isEqualTo(5);
        assertThat(config.backoffMs(1)).isEqualTo(100);
        assertThat(config.backoffMs(2)).isEqualTo(200);
        assertThat(config.backoffMs(4)).isEqualTo(800);
        assertThat(config.backoffMs(20)).as("capped").isEqualTo(10_000);
        assertThat(config.totalBackoffMs()).isEqualTo(1_500);
        assertThat(config.deserializerStrict()).isTrue();

        Map<String, Object> consumer = config.consumerProperties();
        assertThat(consumer).containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "leaderboard")
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
                .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .containsEntry(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        assertThat(config.deadLetterProducerProperties()).containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    }

    @Test
    void kafkaKeysPassThroughToTheClientsThatKnowThem() {
        Map<String, Object> given = minimal();
        given.put("kafka.security.protocol", "SSL");
        given.put("kafka.group.instance.id", "member-1");
        given.put("kafka.linger.ms", "5");
        CheckpointingSubscriberConfig config = new CheckpointingSubscriberConfig(given);

        assertThat(config.consumerProperties()).containsEntry("security.protocol", "SSL")
                .containsEntry("group.instance.id", "member-1").doesNotContainKey("linger.ms");
        assertThat(config.deadLetterProducerProperties()).containsEntry("security.protocol", "SSL")
                .containsEntry("linger.ms", "5").doesNotContainKey("group.instance.id");
    }

    @Test
    void refusesWhatWouldBreakTheCheckpoints() {
        assertThatThrownBy(() -> with("kafka.enable.auto.commit", "true"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is set by the subscriber");
        assertThatThrownBy(() -> with("kafka.group.id", "other"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("use group.id");
        assertThatThrownBy(() -> with(Key.TOPIC_PATTERN, "eventstore\\..*"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("exactly one of topics and topic.pattern (both are set)");
        Map<String, Object> neither = minimal();
        neither.remove(Key.TOPICS);
        assertThatThrownBy(() -> new CheckpointingSubscriberConfig(neither))
                .isInstanceOf(ConfigException.class).hasMessageContaining("(neither is set)");
        assertThatThrownBy(() -> with(Key.ERRORS_POLICY, "ignore"))
                .isInstanceOf(ConfigException.class).hasMessageContaining(Key.ERRORS_POLICY);
        assertThatThrownBy(() -> with(Key.GROUP_ID, " "))
                .isInstanceOf(ConfigException.class).hasMessageContaining("1 to 255 characters");
        assertThatThrownBy(() -> with(Key.TOPICS, "bad topic"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not a legal Kafka topic name");
        assertThatThrownBy(() -> with(Key.RETRY_ATTEMPTS, 0))
                .isInstanceOf(ConfigException.class).hasMessageContaining(Key.RETRY_ATTEMPTS);
        assertThatThrownBy(() -> with(Key.RETRY_BACKOFF_MAX_MS, 10))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must be at least errors.retry.backoff.initial.ms");
        Map<String, Object> slow = minimal();
        slow.put(Key.RETRY_ATTEMPTS, 50);
        slow.put(Key.RETRY_BACKOFF_MAX_MS, 60_000);
        assertThatThrownBy(() -> new CheckpointingSubscriberConfig(slow))
                .isInstanceOf(ConfigException.class).hasMessageContaining("max.poll.interval.ms");
    }

    @Test
    void aPatternAndADeadLetterTopic() {
        Map<String, Object> given = minimal();
        given.remove(Key.TOPICS);
        given.put(Key.TOPIC_PATTERN, "eventstore\\..*");
        given.put(Key.ERRORS_POLICY, "dead-letter");
        given.put(Key.DEAD_LETTER_TOPIC, "leaderboard.parked");
        CheckpointingSubscriberConfig config = new CheckpointingSubscriberConfig(given);

        assertThat(config.topicPattern().pattern()).isEqualTo("eventstore\\..*");
        assertThat(config.errorsPolicy()).isEqualTo(ErrorsPolicy.DEAD_LETTER);
        assertThat(config.deadLetterTopic()).isEqualTo("leaderboard.parked");
    }
}
