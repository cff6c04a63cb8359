package dev.eventstore;

import java.time.Instant;

/**
 * Where a subscription (a Kafka consumer group) resumes on one Kafka topic-partition, from the
 * positions recorded in PostgreSQL: the highest offset recorded in the metadata of its rows
 * ({@code {"topic":..,"partition":..,"offset":..}}) plus one. See
 * {@link SubscriptionStore#partitionPositions(String)}.
 *
 * @param topic the Kafka topic
 * @param partition the partition of {@code topic}
 * @param nextOffset the offset to resume at: the highest recorded offset plus one
 * @param streams how many of the subscription's rows (one per stream) point into this partition
 * @param updatedAt when the latest of those rows moved, UTC
 */
public record PartitionPosition(String topic, int partition, long nextOffset, long streams, Instant updatedAt) {
}
