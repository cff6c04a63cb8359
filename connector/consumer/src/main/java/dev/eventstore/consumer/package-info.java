/**
 * The consumer library: {@code EventRecordDeserializer} reads the bridge's Kafka records into typed
 * events, and {@code CheckpointingSubscriber} applies them exactly once to a PostgreSQL read model,
 * with its position recorded in the same transaction; the classes beside it each hold one of its
 * jobs (record handling and its errors policy, the exactly-once apply, offset commits,
 * rebalances, dead-letter parking).
 *
 * <p>May depend on: {@code dev.eventstore}, {@code dev.eventstore.connect},
 * {@code dev.eventstore.jdbc}, {@code dev.eventstore.serializer}; and Kafka clients.
 */
package dev.eventstore.consumer;
