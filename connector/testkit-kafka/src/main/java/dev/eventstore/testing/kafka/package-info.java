/**
 * The test kit's end-to-end mode (artifact {@code eventstore-test-kafka}): an embedded Kafka
 * broker per test JVM and a bridge per test class ({@link dev.eventstore.testing.kafka.KafkaEndToEnd},
 * found by {@code EventStoreExtension} through {@link java.util.ServiceLoader}), and
 * {@link dev.eventstore.testing.kafka.KafkaEvents}, which tests use to wait for a stream's records.
 *
 * <p>May depend on: {@code dev.eventstore}, {@code dev.eventstore.testing}, {@code dev.eventstore.bridge},
 * {@code dev.eventstore.connect} (the record contract: topic names, headers),
 * {@code dev.eventstore.embedded}, {@code dev.eventstore.jdbc}, {@code dev.eventstore.schema}; and
 * the Kafka client.
 */
package dev.eventstore.testing.kafka;
