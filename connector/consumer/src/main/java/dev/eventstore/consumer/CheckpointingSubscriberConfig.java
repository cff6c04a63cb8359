package dev.eventstore.consumer;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

/**
 * Every setting of a {@link CheckpointingSubscriber}, typed, defaulted, validated and documented
 * in one {@link ConfigDef} ({@link #CONFIG_DEF}); the reference ({@code connector/consumer/CONFIG.md})
 * is generated from it.
 *
 * <p>Keys under {@code kafka.} pass to the Kafka consumer (and to the dead-letter producer when they
 * are producer settings) without the prefix: {@code kafka.security.protocol},
 * {@code kafka.sasl.jaas.config}, {@code kafka.group.instance.id}, {@code kafka.session.timeout.ms},
 * ... The keys this class defines (group id, bootstrap servers, offset reset, poll size) and the
 * settings the subscriber owns ({@code enable.auto.commit}, the deserializers) cannot be given there.
 */
public final class CheckpointingSubscriberConfig extends AbstractConfig {

    public static final String KAFKA_CLIENT_PREFIX = "kafka.";

    /** The configuration keys. */
    public interface Key {
        String GROUP_ID = "group.id";
        String TOPICS = "topics";
        String TOPIC_PATTERN = "topic.pattern";
        String BOOTSTRAP_SERVERS = "bootstrap.servers";
        String AUTO_OFFSET_RESET = "auto.offset.reset";
        String POLL_TIMEOUT_MS = "poll.timeout.ms";
        String MAX_POLL_RECORDS = "max.poll.records";
        String CLOSE_TIMEOUT_MS = "close.timeout.ms";
        String DESERIALIZER_STRICT = "deserializer.strict";
        String RETRY_ATTEMPTS = "errors.retry.attempts";
        String RETRY_BACKOFF_INITIAL_MS = "errors.retry.backoff.initial.ms";
        String RETRY_BACKOFF_MAX_MS = "errors.retry.backoff.max.ms";
        String RETRY_BACKOFF_MULTIPLIER = "errors.retry.backoff.multiplier";
        String ERRORS_POLICY = "errors.policy";
        String DEAD_LETTER_TOPIC = "errors.dead.letter.topic";
        String DEAD_LETTER_TIMEOUT_MS = "errors.dead.letter.timeout.ms";
    }

    /** What happens to an event the handler keeps failing on, or to a malformed record. */
    public enum ErrorsPolicy {
        /** The subscriber stops with an error naming the event; it resumes from that event once restarted. */
        FAIL("fail"),
        /** The record is parked on the dead-letter topic with the reason in headers; the subscriber carries on. */
        DEAD_LETTER("dead-letter");

        private final String value;

        ErrorsPolicy(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }
    }

    /** Settings the subscriber owns: never passed through from {@code kafka.*}. */
    private static final Set<String> OWNED = Set.of(
            ConsumerConfig.GROUP_ID_CONFIG, ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);

    private static final long DEFAULT_MAX_POLL_INTERVAL_MS = 300_000L;

    private static final String GROUP_SUBSCRIPTION = "Subscription";
    private static final String GROUP_KAFKA = "Kafka";
    private static final String GROUP_ERRORS = "Errors";

    public static final ConfigDef CONFIG_DEF = definition();

    private static ConfigDef definition() {
        return new ConfigDef()
                .define(Key.GROUP_ID, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new SubscriptionIdValidator(), Importance.HIGH,
                        "The subscription: its Kafka consumer group id, and the subscription_id of its rows (one per"
                                + " stream) in the event store's subscriptions table.",
                        GROUP_SUBSCRIPTION, 1, Width.MEDIUM, "Group id")
                .define(Key.TOPICS, Type.LIST, "", new TopicListValidator(), Importance.HIGH,
                        "Event topics to subscribe to, comma separated (e.g. eventstore.game). Give this or"
                                + " topic.pattern, not both.",
                        GROUP_SUBSCRIPTION, 2, Width.LONG, "Topics")
                .define(Key.TOPIC_PATTERN, Type.STRING, "", new RegexValidator(), Importance.HIGH,
                        "A Java regular expression of the topics to subscribe to (e.g. eventstore\\..*); topics"
                                + " created later that match are picked up. Give this or topics, not both.",
                        GROUP_SUBSCRIPTION, 3, Width.LONG, "Topic pattern")
                .define(Key.DESERIALIZER_STRICT, Type.BOOLEAN, true, new BooleanValidator(), Importance.MEDIUM,
                        "true: a record whose event type is not registered in the serializer's registry is"
                                + " malformed (errors.policy applies). false: it is handed to the handler with its data"
                                + " as a Jackson JsonNode.",
                        GROUP_SUBSCRIPTION, 4, Width.SHORT, "Strict event types")
                .define(Key.BOOTSTRAP_SERVERS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, new NonEmptyList(), Importance.HIGH,
                        "Kafka brokers to bootstrap from, host:port,host:port. Other kafka.* keys pass to the"
                                + " consumer and the dead-letter producer without the prefix (TLS, SASL, static"
                                + " membership).",
                        GROUP_KAFKA, 1, Width.LONG, "Bootstrap servers")
                .define(Key.AUTO_OFFSET_RESET, Type.STRING, "earliest", ConfigDef.ValidString.in("earliest", "latest"),
                        Importance.MEDIUM,
                        "Where the group starts on a partition for which neither PostgreSQL holds a position nor"
                                + " Kafka a committed offset: earliest reads every event the topic keeps, latest only"
                                + " events published from now on.",
                        GROUP_KAFKA, 2, Width.SHORT, "Offset reset")
                .define(Key.POLL_TIMEOUT_MS, Type.LONG, 500L, Range.between(1, 60_000), Importance.LOW,
                        "Longest wait of one poll for records. Bounds how long close() waits for an idle"
                                + " subscriber; records are handed over as soon as they arrive whatever its value.",
                        GROUP_KAFKA, 3, Width.SHORT, "Poll timeout")
                .define(Key.MAX_POLL_RECORDS, Type.INT, 500, Range.between(1, 100_000), Importance.LOW,
                        "Most records one poll returns (Kafka's max.poll.records). Each is handled in its own"
                                + " PostgreSQL transaction; Kafka offsets are committed after each poll's records.",
                        GROUP_KAFKA, 4, Width.SHORT, "Max poll records")
                .define(Key.CLOSE_TIMEOUT_MS, Type.LONG, 30_000L, Range.between(0, 3_600_000), Importance.LOW,
                        "How long close() waits for the event in hand to finish, the processed offsets to be"
                                + " committed and the consumer to leave its group.",
                        GROUP_KAFKA, 5, Width.SHORT, "Close timeout")
                .define(Key.RETRY_ATTEMPTS, Type.INT, 5, Range.between(1, 100), Importance.MEDIUM,
                        "Attempts at handling one event, the first included, before errors.policy applies. Each"
                                + " attempt runs in a new transaction; a failed one is rolled back.",
                        GROUP_ERRORS, 1, Width.SHORT, "Retry attempts")
                .define(Key.RETRY_BACKOFF_INITIAL_MS, Type.LONG, 100L, Range.between(0, 600_000), Importance.LOW,
                        "Wait before the second attempt; each further wait is multiplied by"
                                + " errors.retry.backoff.multiplier, up to errors.retry.backoff.max.ms. The waits of"
                                + " one event together must stay below the consumer's max.poll.interval.ms.",
                        GROUP_ERRORS, 2, Width.SHORT, "Initial backoff")
                .define(Key.RETRY_BACKOFF_MAX_MS, Type.LONG, 10_000L, Range.between(0, 600_000), Importance.LOW,
                        "Longest wait between two attempts.",
                        GROUP_ERRORS, 3, Width.SHORT, "Max backoff")
                .define(Key.RETRY_BACKOFF_MULTIPLIER, Type.DOUBLE, 2.0, Range.between(1, 100), Importance.LOW,
                        "Factor between one wait and the next (exponential backoff); 1 waits the same each time.",
                        GROUP_ERRORS, 4, Width.SHORT, "Backoff multiplier")
                .define(Key.ERRORS_POLICY, Type.STRING, ErrorsPolicy.FAIL.value(),
                        ConfigDef.ValidString.in(ErrorsPolicy.FAIL.value(), ErrorsPolicy.DEAD_LETTER.value()),
                        Importance.MEDIUM,
                        "What happens to an event the handler still fails on after errors.retry.attempts, and to"
                                + " a malformed record. fail: the subscriber stops with an error naming the event (or"
                                + " record) and, once restarted, resumes from it. dead-letter: the record is parked on"
                                + " errors.dead.letter.topic as it was, with the reason in eventstore.dlt.* headers; the"
                                + " event's position is recorded and the subscriber carries on. Failures of PostgreSQL"
                                + " itself (no connection, a failed commit) always stop the subscriber.",
                        GROUP_ERRORS, 5, Width.SHORT, "Error policy")
                .define(Key.DEAD_LETTER_TOPIC, Type.STRING, "", new OptionalTopicValidator(), Importance.MEDIUM,
                        "Dead-letter topic for errors.policy=dead-letter (default <group.id>.dead-letter). It must"
                                + " exist, or the broker must create topics on first use.",
                        GROUP_ERRORS, 6, Width.MEDIUM, "Dead-letter topic")
                .define(Key.DEAD_LETTER_TIMEOUT_MS, Type.LONG, 30_000L, Range.between(1, 600_000), Importance.LOW,
                        "How long to wait for Kafka to acknowledge a parked record before the subscriber stops.",
                        GROUP_ERRORS, 7, Width.SHORT, "Dead-letter timeout");
    }

    private final Map<String, String> kafkaClientProperties;

    public CheckpointingSubscriberConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals, false);
        boolean hasTopics = !getList(Key.TOPICS).isEmpty();
        boolean hasPattern = !getString(Key.TOPIC_PATTERN).isBlank();
        if (hasTopics == hasPattern) {
            throw new ConfigException("give exactly one of " + Key.TOPICS + " and " + Key.TOPIC_PATTERN
                    + (hasTopics ? " (both are set)" : " (neither is set)"));
        }
        if (getLong(Key.RETRY_BACKOFF_MAX_MS) < getLong(Key.RETRY_BACKOFF_INITIAL_MS)) {
            throw new ConfigException(Key.RETRY_BACKOFF_MAX_MS, getLong(Key.RETRY_BACKOFF_MAX_MS),
                    "must be at least " + Key.RETRY_BACKOFF_INITIAL_MS + " (" + getLong(Key.RETRY_BACKOFF_INITIAL_MS) + ")");
        }
        Map<String, String> passThrough = new LinkedHashMap<>();
        originals.forEach((k, v) -> {
            String key = k.toString();
            if (key.startsWith(KAFKA_CLIENT_PREFIX) && v != null) {
                String name = key.substring(KAFKA_CLIENT_PREFIX.length());
                if (OWNED.contains(name)) {
                    throw new ConfigException(key, v, "is set by the subscriber"
                            + (CONFIG_DEF.names().contains(name) ? ": use " + name : ""));
                }
                passThrough.put(name, v.toString());
            }
        });
        this.kafkaClientProperties = Collections.unmodifiableMap(passThrough);
        long maxPollInterval = Long.parseLong(kafkaClientProperties.getOrDefault(
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Long.toString(DEFAULT_MAX_POLL_INTERVAL_MS)));
        if (totalBackoffMs() >= maxPollInterval) {
            throw new ConfigException("the retry waits of one event add up to " + totalBackoffMs() + " ms, not below the"
                    + " consumer's max.poll.interval.ms (" + maxPollInterval + "): the group would drop the subscriber"
                    + " while it retries; lower " + Key.RETRY_ATTEMPTS + " or the backoff, or raise"
                    + " kafka.max.poll.interval.ms");
        }
    }

    /** The subscription id: the consumer group id. */
    public String subscriptionId() {
        return getString(Key.GROUP_ID);
    }

    /** The topics subscribed to; empty when a pattern is given. */
    public List<String> topics() {
        return getList(Key.TOPICS);
    }

    /** The topic pattern, or {@code null} when topics are listed. */
    public Pattern topicPattern() {
        String pattern = getString(Key.TOPIC_PATTERN);
        return pattern.isBlank() ? null : Pattern.compile(pattern);
    }

    public String bootstrapServers() {
        return String.join(",", getList(Key.BOOTSTRAP_SERVERS));
    }

    public long pollTimeoutMs() {
        return getLong(Key.POLL_TIMEOUT_MS);
    }

    public long closeTimeoutMs() {
        return getLong(Key.CLOSE_TIMEOUT_MS);
    }

    public boolean deserializerStrict() {
        return getBoolean(Key.DESERIALIZER_STRICT);
    }

    public int retryAttempts() {
        return getInt(Key.RETRY_ATTEMPTS);
    }

    /** The wait after failed attempt {@code attempt} (1 for the first), before the next. */
    public long backoffMs(int attempt) {
        double wait = getLong(Key.RETRY_BACKOFF_INITIAL_MS) * Math.pow(getDouble(Key.RETRY_BACKOFF_MULTIPLIER), attempt - 1);
        return (long) Math.min(wait, getLong(Key.RETRY_BACKOFF_MAX_MS));
    }

    /** The waits of one event that fails every attempt, added up. */
    public long totalBackoffMs() {
        long total = 0;
        for (int attempt = 1; attempt < retryAttempts(); attempt++) {
            total += backoffMs(attempt);
        }
        return total;
    }

    public ErrorsPolicy errorsPolicy() {
        return getString(Key.ERRORS_POLICY).equals(ErrorsPolicy.DEAD_LETTER.value())
                ? ErrorsPolicy.DEAD_LETTER : ErrorsPolicy.FAIL;
    }

    public String deadLetterTopic() {
        String topic = getString(Key.DEAD_LETTER_TOPIC);
        return topic == null || topic.isBlank() ? subscriptionId() + ".dead-letter" : topic;
    }

    public long deadLetterTimeoutMs() {
        return getLong(Key.DEAD_LETTER_TIMEOUT_MS);
    }

    /** The {@code kafka.*} settings without the prefix. */
    public Map<String, String> kafkaClientProperties() {
        return kafkaClientProperties;
    }

    /**
     * The consumer's settings: the pass-through ones, then those of this config. Offsets are
     * committed by the subscriber only (no auto-commit); {@code isolation.level} defaults to
     * {@code read_committed}, so a transactional writer's aborted records are never handled.
     */
    public Map<String, Object> consumerProperties() {
        Map<String, Object> properties = new HashMap<>();
        kafkaClientProperties.forEach((k, v) -> {
            if (ConsumerConfig.configNames().contains(k) || !ProducerConfig.configNames().contains(k)) {
                properties.put(k, v);
            }
        });
        properties.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, subscriptionId());
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, getString(Key.AUTO_OFFSET_RESET));
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, getInt(Key.MAX_POLL_RECORDS));
        return properties;
    }

    /** The dead-letter producer's settings: the pass-through producer settings, idempotent, {@code acks=all}. */
    public Map<String, Object> deadLetterProducerProperties() {
        Map<String, Object> properties = new HashMap<>();
        kafkaClientProperties.forEach((k, v) -> {
            if (ProducerConfig.configNames().contains(k)) {
                properties.put(k, v);
            }
        });
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, subscriptionId() + "-dead-letter");
        return properties;
    }

    static final class SubscriptionIdValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String id = value == null ? "" : value.toString();
            if (id.isBlank() || id.length() > 255 || id.codePoints().anyMatch(Character::isISOControl)) {
                throw new ConfigException(name, value, "must be 1 to 255 characters, not only whitespace, without"
                        + " control characters");
            }
        }

        @Override
        public String toString() {
            return "1 to 255 characters, not only whitespace, without control characters";
        }
    }

    static final class NonEmptyList implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (!(value instanceof List<?> list) || list.isEmpty() || list.stream().anyMatch(v -> v.toString().isBlank())) {
                throw new ConfigException(name, value, "must list at least one host:port");
            }
        }

        @Override
        public String toString() {
            return "host:port,host:port";
        }
    }

    private static final Pattern LEGAL_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    static final class TopicListValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value instanceof List<?> list) {
                for (Object topic : list) {
                    if (!LEGAL_TOPIC.matcher(topic.toString()).matches()) {
                        throw new ConfigException(name, value, "'" + topic + "' is not a legal Kafka topic name");
                    }
                }
            }
        }

        @Override
        public String toString() {
            return "empty, or legal Kafka topic names ([a-zA-Z0-9._-]), comma separated";
        }
    }

    static final class OptionalTopicValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value != null && !value.toString().isEmpty() && !LEGAL_TOPIC.matcher(value.toString()).matches()) {
                throw new ConfigException(name, value, "is not a legal Kafka topic name");
            }
        }

        @Override
        public String toString() {
            return "empty, or a legal Kafka topic name ([a-zA-Z0-9._-])";
        }
    }

    static final class RegexValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value != null && !value.toString().isBlank()) {
                try {
                    Pattern.compile(value.toString());
                } catch (PatternSyntaxException e) {
                    throw new ConfigException(name, value, "is not a Java regular expression: " + e.getDescription());
                }
            }
        }

        @Override
        public String toString() {
            return "empty, or a Java regular expression";
        }
    }

    static final class BooleanValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            // ConfigDef has parsed the value as a boolean by now.
        }

        @Override
        public String toString() {
            return "true or false";
        }
    }
}
