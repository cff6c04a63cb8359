package dev.eventstore;

import java.time.Instant;

/**
 * A subscription's position in one stream: the last event it has seen. The subscription id is
 * the Kafka consumer group id.
 *
 * @param subscriptionId the subscription (consumer group)
 * @param streamId the stream
 * @param lastSeenEventId the id of the last event seen
 * @param lastSeenStreamVersion its stream version
 * @param metadata a JSON object, e.g. the Kafka topic, partition and offset of that event, or {@code null}
 * @param createdAt when the position was first recorded, UTC
 * @param updatedAt when it last moved, UTC
 */
public record SubscriptionPosition(String subscriptionId, String streamId, Long lastSeenEventId,
                                   Long lastSeenStreamVersion, String metadata, Instant createdAt, Instant updatedAt) {
}
