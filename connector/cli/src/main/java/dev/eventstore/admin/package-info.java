/**
 * Administrative operations behind the command line that read or repair the pipeline: republish,
 * replay, verify, status, and the progress they report.
 *
 * <p>May depend on: {@code dev.eventstore}, {@code dev.eventstore.bridge},
 * {@code dev.eventstore.connect}, {@code dev.eventstore.jdbc}, {@code dev.eventstore.schema}; and
 * Kafka clients; never the developer tools, the embedded servers or the simulation.
 */
package dev.eventstore.admin;
