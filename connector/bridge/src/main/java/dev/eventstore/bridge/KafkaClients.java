package dev.eventstore.bridge;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The Kafka clients of the bridge and the admin commands, built one way from a
 * {@link BridgeConfig}: its bootstrap servers and pass-through client settings (TLS, SASL).
 */
public final class KafkaClients {

    private KafkaClients() {
    }

    private static Map<String, Object> common(BridgeConfig config, String clientId) {
        Map<String, Object> properties = new HashMap<>(config.kafkaClientProperties());
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        properties.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return properties;
    }

    public static Admin admin(BridgeConfig config, String clientId) {
        return Admin.create(common(config, clientId));
    }

    /**
     * The event producer: at least once and in order. Every in-sync replica acknowledges, and the
     * idempotent producer's retries never reorder or duplicate within a partition.
     *
     * <p>Kafka's producer has no setting against topic auto-creation (the consumer's
     * {@code allow.auto.create.topics} is not one of its settings): its metadata requests always
     * allow it, so a broker with {@code auto.create.topics.enable=true} creates a deleted topic
     * again, with its defaults, on the next send. {@link TopicManager} refuses such a topic by its
     * topic id before and while the bridge publishes to it.
     */
    public static KafkaProducer<byte[], byte[]> eventProducer(BridgeConfig config, String clientId) {
        return eventProducer(config, clientId, Map.of());
    }

    /** The event producer with some settings changed, e.g. larger batches for a bulk republish. */
    public static KafkaProducer<byte[], byte[]> eventProducer(BridgeConfig config, String clientId,
                                                              Map<String, Object> overrides) {
        Map<String, Object> properties = common(config, clientId);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, config.getInt(BridgeConfig.Key.PRODUCER_MAX_IN_FLIGHT));
        properties.put(ProducerConfig.LINGER_MS_CONFIG, config.getInt(BridgeConfig.Key.PRODUCER_LINGER_MS));
        properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, config.getInt(BridgeConfig.Key.PRODUCER_MAX_REQUEST_SIZE));
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        properties.putAll(overrides);
        return new KafkaProducer<>(properties);
    }

    /** The event producer's delivery.timeout.ms: Kafka's default unless set with kafka.delivery.timeout.ms. */
    public static long deliveryTimeoutMs(BridgeConfig config) {
        Object value = config.kafkaClientProperties().get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG);
        return value == null ? 120_000L : Long.parseLong(value.toString().trim());
    }

    /** A consumer that reads event records by assignment (no group), for the admin commands. */
    public static KafkaConsumer<String, byte[]> reader(BridgeConfig config, String clientId) {
        Map<String, Object> properties = common(config, clientId);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        properties.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
        properties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        return new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
