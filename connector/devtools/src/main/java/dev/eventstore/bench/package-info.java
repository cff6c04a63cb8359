/**
 * The benchmark ({@code eventstore bench}): workloads for appends, reads, the pipeline, replays and
 * scale, their servers, load runner, goals and report. Developer tooling only.
 *
 * <p>May depend on: {@code dev.eventstore}, {@code dev.eventstore.admin},
 * {@code dev.eventstore.bridge}, {@code dev.eventstore.cli}, {@code dev.eventstore.connect},
 * {@code dev.eventstore.consumer}, {@code dev.eventstore.demo} (the leaderboard group of the
 * read-your-writes rows), {@code dev.eventstore.embedded}, {@code dev.eventstore.jdbc},
 * {@code dev.eventstore.schema}, {@code dev.eventstore.serializer},
 * {@code dev.eventstore.simulation}; and HdrHistogram and Kafka clients.
 */
package dev.eventstore.bench;
