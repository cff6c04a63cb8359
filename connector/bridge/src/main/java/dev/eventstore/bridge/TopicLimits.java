package dev.eventstore.bridge;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each topic accepts, read from Kafka when the bridge first uses the topic: the largest
 * record ({@code max.message.bytes}, and the producer's {@code max.request.size}) and the range of
 * record timestamps ({@code message.timestamp.before.max.ms} and {@code .after.max.ms}).
 *
 * <p>The publisher checks every record against these before sending it, so that Kafka never
 * refuses a record for its size or time: a refusal after the send would come when later records
 * of the same partition are already on their way, and they could land before the refused one.
 */
final class TopicLimits {

    private static final Logger log = LoggerFactory.getLogger(TopicLimits.class);
    private static final long TIMEOUT_SECONDS = 30;
    /** Kept clear of a timestamp bound: the clocks of this host and the broker may differ. */
    static final long CLOCK_MARGIN_MS = 60_000;

    /** One topic's limits, and the producer's. */
    record Limit(String topic, int producerMaxRequestSize, int topicMaxMessageBytes, long beforeMaxMs, long afterMaxMs) {

        /** The largest record the topic takes and the producer sends. */
        int maxRecordBytes() {
            return Math.min(producerMaxRequestSize, topicMaxMessageBytes);
        }

        /**
         * The record with a timestamp the topic accepts: its own ({@code created_at}), or none
         * (Kafka then stamps the time it is sent) when that lies outside the topic's range.
         */
        ProducerRecord<byte[], byte[]> withAcceptedTimestamp(ProducerRecord<byte[], byte[]> record, long nowMillis) {
            Long timestamp = record.timestamp();
            if (timestamp == null || accepts(timestamp, nowMillis)) {
                return record;
            }
            return new ProducerRecord<>(record.topic(), record.partition(), null, record.key(), record.value(),
                    record.headers());
        }

        boolean accepts(long timestamp, long nowMillis) {
            if (timestamp < 0) {
                return false;
            }
            if (afterMaxMs < Long.MAX_VALUE && timestamp > nowMillis + Math.max(0, afterMaxMs - CLOCK_MARGIN_MS)) {
                return false;
            }
            return beforeMaxMs == Long.MAX_VALUE || timestamp >= nowMillis - Math.max(0, beforeMaxMs - CLOCK_MARGIN_MS);
        }
    }

    private final Admin admin;
    private final int maxRequestSize;
    private final Map<String, Limit> limits = new ConcurrentHashMap<>();

    TopicLimits(Admin admin, int maxRequestSize) {
        this.admin = admin;
        this.maxRequestSize = maxRequestSize;
    }

    /** The limits of {@code topic}, read once; warns once when the topic takes less than the producer sends. */
    Limit of(String topic) throws InterruptedException {
        Limit known = limits.get(topic);
        if (known != null) {
            return known;
        }
        Limit limit = read(topic);
        if (limit.topicMaxMessageBytes() < maxRequestSize) {
            log.warn("Kafka topic {} takes records of at most {} bytes (max.message.bytes), less than the bridge may send"
                    + " ({} bytes, producer.max.request.size): a larger event will stop the bridge, or go to the"
                    + " dead-letter topic with errors.policy=dead-letter. To take every event the store accepts, run"
                    + " kafka-configs.sh --alter --entity-type topics --entity-name {} --add-config max.message.bytes={}",
                    topic, limit.topicMaxMessageBytes(), maxRequestSize, topic, maxRequestSize);
        }
        limits.put(topic, limit);
        return limit;
    }

    private Limit read(String topic) throws InterruptedException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config;
        try {
            config = admin.describeConfigs(Set.of(resource)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(resource);
        } catch (ExecutionException e) {
            throw new BridgeException("cannot read the configuration of Kafka topic " + topic + ": "
                    + e.getCause().getMessage() + " (the bridge needs DESCRIBE_CONFIGS on its topics)", e.getCause());
        } catch (TimeoutException e) {
            throw new BridgeException("Kafka did not answer within " + TIMEOUT_SECONDS
                    + " s while reading the configuration of topic " + topic, e);
        }
        int maxMessageBytes = (int) number(config, TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.MAX_VALUE);
        long beforeMax = number(config, TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, Long.MAX_VALUE);
        long afterMax = number(config, TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, Long.MAX_VALUE);
        if ("LogAppendTime".equals(value(config, TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG))) {
            beforeMax = Long.MAX_VALUE; // the broker stamps its own time and checks none
            afterMax = Long.MAX_VALUE;
        }
        return new Limit(topic, maxRequestSize, maxMessageBytes, beforeMax, afterMax);
    }

    private static String value(Config config, String name) {
        ConfigEntry entry = config == null ? null : config.get(name);
        return entry == null ? null : entry.value();
    }

    private static long number(Config config, String name, long absent) {
        String value = value(config, name);
        try {
            return value == null ? absent : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return absent;
        }
    }

    /**
     * An upper bound of the bytes a record takes in a record batch of its own, uncompressed, as
     * the broker measures it against {@code max.message.bytes} and the producer against
     * {@code max.request.size}: the batch header (61 bytes) and the record (format v2) with every
     * length field at its largest varint size.
     */
    static int sizeUpperBound(ProducerRecord<byte[], byte[]> record) {
        long size = 61 // record batch header
                + 5 + 1 + 10 + 5 // record length, attributes, timestamp delta, offset delta
                + 5 + length(record.key())
                + 5 + length(record.value())
                + 5; // header count
        for (Header header : record.headers()) {
            size += 5 + header.key().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 5 + length(header.value());
        }
        return (int) Math.min(Integer.MAX_VALUE, size);
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }
}
