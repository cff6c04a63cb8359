package dev.eventstore.consumer;

import static dev.eventstore.consumer.RecordPositions.oneLine;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka offsets of what the subscriber has dealt with, and their commits: asynchronously after
 * each poll, synchronously when partitions are revoked and on close. A failed commit is harmless:
 * PostgreSQL holds the positions, and the next commit or the partition's next owner catches up.
 * Used on the subscriber's thread only (the rebalance listener runs there too, inside poll()).
 */
final class OffsetCommits {

    private static final Logger log = LoggerFactory.getLogger(OffsetCommits.class);

    private final String subscriptionId;
    private final Duration timeout;
    private final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
    private boolean uncommitted;

    OffsetCommits(String subscriptionId, long closeTimeoutMs) {
        this.subscriptionId = subscriptionId;
        this.timeout = Duration.ofMillis(Math.max(1, closeTimeoutMs));
    }

    /** {@code record} is dealt with (applied, skipped or parked): its partition commits past it. */
    void done(ConsumerRecord<?, ?> record) {
        pending.put(new TopicPartition(record.topic(), record.partition()),
                new OffsetAndMetadata(record.offset() + 1, record.leaderEpoch(), ""));
        uncommitted = true;
    }

    /** Commits what is new since the last commit, without waiting. */
    void commitAsync(KafkaConsumer<?, ?> consumer) {
        if (!uncommitted || pending.isEmpty()) {
            return;
        }
        consumer.commitAsync(new HashMap<>(pending), (offsets, e) -> {
            if (e != null) {
                log.debug("Subscriber {}: an offset commit failed: {}", subscriptionId, oneLine(e));
            }
        });
        uncommitted = false;
    }

    /** Commits every partition's offset and waits, before the consumer closes. */
    void commitOnExit(KafkaConsumer<?, ?> consumer) {
        if (pending.isEmpty()) {
            return;
        }
        commitSync(consumer, new HashMap<>(pending), "on close");
        pending.clear();
    }

    /** Commits the offsets of revoked partitions and waits, then forgets them. */
    void commitRevoked(KafkaConsumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata offset = pending.remove(partition);
            if (offset != null) {
                offsets.put(partition, offset);
            }
        }
        if (!offsets.isEmpty()) {
            commitSync(consumer, offsets, "on revocation");
        }
    }

    /** Forgets lost partitions' offsets: another member owns them already, commits would fail. */
    void forget(Collection<TopicPartition> partitions) {
        pending.keySet().removeAll(partitions);
    }

    private void commitSync(KafkaConsumer<?, ?> consumer, Map<TopicPartition, OffsetAndMetadata> offsets, String when) {
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                consumer.commitSync(offsets, timeout);
                log.debug("Subscriber {} committed {} {}", subscriptionId, offsets, when);
                return;
            } catch (WakeupException e) {
                // close() woke the consumer up: try once more, the wake-up is spent.
            } catch (RuntimeException e) {
                log.info("Subscriber {}: offsets not committed {} ({}); PostgreSQL's positions cover them", subscriptionId,
                        when, oneLine(e));
                return;
            }
        }
    }
}
