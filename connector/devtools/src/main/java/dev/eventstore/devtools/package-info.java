/**
 * The developer commands added to the command line: {@code eventstore dev} (embedded PostgreSQL and
 * Kafka, the bridge, the simulation and the demo consumer in one process) and
 * {@code eventstore bench}. Developer tooling only: nothing of the product depends on it.
 *
 * <p>May depend on: {@code dev.eventstore}, {@code dev.eventstore.bench},
 * {@code dev.eventstore.bridge}, {@code dev.eventstore.cli}, {@code dev.eventstore.consumer},
 * {@code dev.eventstore.demo}, {@code dev.eventstore.embedded}, {@code dev.eventstore.jdbc},
 * {@code dev.eventstore.schema}, {@code dev.eventstore.simulation}; and picocli.
 */
package dev.eventstore.devtools;
