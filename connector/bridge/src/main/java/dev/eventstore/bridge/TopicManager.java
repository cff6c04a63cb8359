package dev.eventstore.bridge;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure an event topic exists before its first record is sent: event topics appear with
 * new stream categories, and a broker's auto-creation (if enabled at all) would give them the
 * broker's defaults, possibly compaction or short retention. Created topics always use
 * {@code cleanup.policy=delete} (an event topic is never compacted by stream key) and the
 * configured retention, unlimited by default, and take records as large as the producer sends
 * ({@code max.message.bytes} = {@code producer.max.request.size}).
 */
public final class TopicManager {

    private static final Logger log = LoggerFactory.getLogger(TopicManager.class);
    private static final long TIMEOUT_SECONDS = 30;

    private final Admin admin;
    private final Producer<?, ?> producer;
    private final boolean create;
    private final int partitions;
    private final short replicationFactor;
    private final long retentionMs;
    private final int maxMessageBytes;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    /** Topic settings from the bridge's configuration. */
    public static TopicManager of(BridgeConfig config, Admin admin, Producer<?, ?> producer) {
        return new TopicManager(admin, producer, config.getBoolean(BridgeConfig.Key.TOPIC_CREATE),
                config.getInt(BridgeConfig.Key.TOPIC_PARTITIONS), config.getShort(BridgeConfig.Key.TOPIC_REPLICATION_FACTOR),
                config.getLong(BridgeConfig.Key.TOPIC_RETENTION_MS), config.getInt(BridgeConfig.Key.PRODUCER_MAX_REQUEST_SIZE));
    }

    /**
     * @param maxMessageBytes {@code max.message.bytes} of a created topic: the producer's
     *     {@code max.request.size}, so that the topic takes every record the bridge may send
     */
    public TopicManager(Admin admin, Producer<?, ?> producer, boolean create, int partitions, short replicationFactor,
                 long retentionMs, int maxMessageBytes) {
        this.admin = admin;
        this.producer = producer;
        this.create = create;
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        this.retentionMs = retentionMs;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Returns once {@code topic} exists; creates it if allowed; otherwise a clear error. */
    public void ensureExists(String topic) throws InterruptedException {
        if (known.contains(topic)) {
            return;
        }
        try {
            if (exists(topic)) {
                awaitHosted(topic); // it may have been created a moment ago, by another bridge or an operator
                producer.partitionsFor(topic);
                known.add(topic);
                return;
            }
            if (!create) {
                throw new BridgeException("Kafka topic " + topic + " does not exist and topic.create=false:"
                        + " create it (cleanup.policy=delete) or allow the bridge to");
            }
            NewTopic newTopic = new NewTopic(topic,
                    Optional.of(partitions),
                    replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor))
                    .configs(Map.of(
                            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                            TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs),
                            TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(maxMessageBytes)));
            try {
                admin.createTopics(Set.of(newTopic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                log.info("Created Kafka topic {} ({} partitions, retention.ms={})", topic, partitions, retentionMs);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new BridgeException("Kafka topic " + topic + " does not exist and the bridge could not create it: "
                            + e.getCause().getMessage() + "; create it (cleanup.policy=delete) or grant CREATE", e.getCause());
                }
            }
            awaitLeaders(topic);
            // A broker reports a leader (metadata) a moment before that leader hosts the partition
            // (its replica manager applies the same change after). A produce request in that gap is
            // refused with NOT_LEADER_OR_FOLLOWER while a later in-flight one to the same partition
            // may be appended; before Kafka 4.5 (KAFKA-15591) the refused batch then retries with
            // OUT_OF_ORDER_SEQUENCE_NUMBER until delivery.timeout.ms and is failed: a stall, and on
            // the bridge's restart its events land after later ones. Wait until each partition's
            // leader answers for it (ListOffsets goes through the same check as Produce).
            awaitHosted(topic);
            producer.partitionsFor(topic);
            known.add(topic);
        } catch (TimeoutException e) {
            throw new BridgeException("Kafka did not answer within " + TIMEOUT_SECONDS + " s while checking topic " + topic, e);
        }
    }

    /** Waits until every partition of a created topic has a leader, as the broker reports it. */
    private void awaitLeaders(String topic) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            try {
                TopicDescription description = admin.describeTopics(Set.of(topic)).allTopicNames()
                        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic);
                if (description != null && !description.partitions().isEmpty()
                        && description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new BridgeException("cannot describe Kafka topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
                }
            }
            Thread.sleep(50); // polling the broker's metadata, bounded by the deadline
        }
        throw new TimeoutException("no leader for every partition of " + topic + " after " + TIMEOUT_SECONDS + " s");
    }

    /** Waits until the leader of every partition of {@code topic} answers a ListOffsets request for it. */
    private void awaitHosted(String topic) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int partition = 0; partition < partitionCount(topic); partition++) {
            latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
        }
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            try {
                admin.listOffsets(latest).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException)) {
                    throw new BridgeException("cannot read the offsets of new Kafka topic " + topic + ": "
                            + e.getCause().getMessage(), e.getCause());
                }
                last = e.getCause();
            }
            Thread.sleep(50); // the partitions are being created on their leaders; bounded by the deadline
        }
        throw new TimeoutException("the leaders of " + topic + " did not host its partitions within " + TIMEOUT_SECONDS
                + " s" + (last == null ? "" : ": " + last.getMessage()));
    }

    private int partitionCount(String topic) throws InterruptedException, TimeoutException {
        try {
            return admin.describeTopics(Set.of(topic)).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
        } catch (ExecutionException e) {
            throw new BridgeException("cannot describe Kafka topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    private boolean exists(String topic) throws InterruptedException, TimeoutException {
        try {
            admin.describeTopics(Set.of(topic)).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false;
            }
            throw new BridgeException("cannot describe Kafka topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
        }
    }
}
