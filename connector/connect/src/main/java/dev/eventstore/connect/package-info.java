/**
 * The Kafka record contract of an event (CloudEvents headers, key, value, topic names by category)
 * and the Kafka Connect single message transform that builds it from Debezium's change events.
 * Shared by the bridge, the consumer library and the Kafka Connect deployment.
 *
 * <p>May depend on: no other package of the product; only Kafka Connect's API.
 */
package dev.eventstore.connect;
