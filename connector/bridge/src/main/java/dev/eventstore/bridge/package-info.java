/**
 * The bridge runtime: Debezium Embedded reading the events table through pgoutput, the publisher
 * that sends each event to Kafka, topic management, the offset store and checkpoints in PostgreSQL,
 * the offset mirror, the bridge lock, preflight checks, health and metrics.
 *
 * <p>May depend on: {@code dev.eventstore}, {@code dev.eventstore.connect},
 * {@code dev.eventstore.jdbc}, {@code dev.eventstore.schema}; and Debezium, Kafka clients and
 * Micrometer; never the developer tools, the embedded servers or the simulation.
 */
package dev.eventstore.bridge;
