package dev.eventstore.consumer;

import static dev.eventstore.consumer.RecordPositions.oneLine;

import dev.eventstore.PartitionPosition;
import dev.eventstore.SubscriptionStore;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriber's rebalance listener: seeks each assigned partition to the position PostgreSQL
 * records when that is ahead of Kafka's committed offset, commits revoked partitions' offsets,
 * forgets lost ones, and keeps the member's assignment. Runs on the subscriber's thread, inside
 * poll(); what it throws is kept in {@link #failure()}, as Kafka wraps it.
 */
final class ResumingRebalanceListener implements ConsumerRebalanceListener {

    private static final Logger log = LoggerFactory.getLogger(ResumingRebalanceListener.class);

    private final KafkaConsumer<?, ?> consumer;
    private final SubscriptionStore subscriptions;
    private final OffsetCommits commits;
    private final String subscriptionId;
    private volatile Set<TopicPartition> assignment = Set.of();
    private volatile SubscriberException failure;

    ResumingRebalanceListener(KafkaConsumer<?, ?> consumer, SubscriptionStore subscriptions, OffsetCommits commits,
                              String subscriptionId) {
        this.consumer = consumer;
        this.subscriptions = subscriptions;
        this.commits = commits;
        this.subscriptionId = subscriptionId;
    }

    /** The partitions owned now; a snapshot, safe to read from any thread. */
    Set<TopicPartition> assignment() {
        return assignment;
    }

    /** Why the last assignment could not be handled, or {@code null}. */
    SubscriberException failure() {
        return failure;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        commits.commitRevoked(consumer, partitions);
        forget(partitions);
        if (!partitions.isEmpty()) {
            log.info("Subscriber {} gave up {}", subscriptionId, partitions);
        }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        commits.forget(partitions);
        forget(partitions);
        log.warn("Subscriber {} lost {} (its group membership lapsed); their new owner resumes from PostgreSQL's"
                + " positions", subscriptionId, partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        Set<TopicPartition> owned = new HashSet<>(assignment);
        owned.addAll(partitions);
        assignment = Set.copyOf(owned);
        log.info("Subscriber {} assigned {}", subscriptionId, partitions);
        List<PartitionPosition> positions;
        try {
            positions = subscriptions.partitionPositions(subscriptionId);
        } catch (RuntimeException e) {
            failure = new SubscriberException("Subscriber " + subscriptionId + " cannot read its positions"
                    + " from PostgreSQL to seek " + partitions + ": " + oneLine(e), e);
            throw failure;
        }
        Map<TopicPartition, Long> recorded = new HashMap<>();
        for (PartitionPosition position : positions) {
            TopicPartition partition = new TopicPartition(position.topic(), position.partition());
            if (partitions.contains(partition)) {
                recorded.put(partition, position.nextOffset());
            }
        }
        if (recorded.isEmpty()) {
            return;
        }
        Set<TopicPartition> sought = recorded.keySet();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(sought);
        Map<TopicPartition, Long> ends = consumer.endOffsets(sought);
        for (Map.Entry<TopicPartition, Long> entry : recorded.entrySet()) {
            TopicPartition partition = entry.getKey();
            long next = entry.getValue();
            Long end = ends.get(partition);
            OffsetAndMetadata kafka = committed.get(partition);
            if (end != null && next > end) {
                log.warn("Subscriber {}: the position recorded in PostgreSQL for {} (offset {}) is past its end ({}):"
                        + " was the topic recreated? Reading it from the beginning; events already applied are"
                        + " skipped by stream version", subscriptionId, partition, next, end);
                consumer.seekToBeginning(Set.of(partition));
            } else if (kafka == null || kafka.offset() < next) {
                consumer.seek(partition, next);
                log.info("Subscriber {} resumes {} at offset {}, recorded in PostgreSQL (Kafka's committed offset: {})",
                        subscriptionId, partition, next, kafka == null ? "none" : kafka.offset());
            }
        }
    }

    private void forget(Collection<TopicPartition> partitions) {
        Set<TopicPartition> owned = new HashSet<>(assignment);
        owned.removeAll(partitions);
        assignment = Set.copyOf(owned);
    }
}
