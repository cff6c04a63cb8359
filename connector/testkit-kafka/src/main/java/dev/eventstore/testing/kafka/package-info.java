/**
 * The test kit's end-to-end mode (artifact {@code eventstore-test-kafka}): an embedded Kafka
 * broker per test JVM and a bridge per test class ({@link dev.eventstore.testing.kafka.KafkaEndToEnd},
 * found by {@code EventStoreExtension} through {@link java.util.ServiceLoader}), and
 * {@link dev.eventstore.testing.kafka.KafkaEvents}, which tests use to wait for a stream's records.
 *
 * <p>May depend on the test kit, the bridge, the Connect plugin's record contract (topic names,
 * headers), the embedded servers module and the Kafka client.
 */
package dev.eventstore.testing.kafka;
