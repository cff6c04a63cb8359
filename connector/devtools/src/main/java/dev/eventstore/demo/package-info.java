/**
 * The demonstration consumer of {@code eventstore dev}: a leaderboard read model kept by a
 * {@code CheckpointingSubscriber}. Developer tooling only.
 *
 * <p>May depend on: {@code dev.eventstore}, {@code dev.eventstore.consumer},
 * {@code dev.eventstore.schema}, {@code dev.eventstore.simulation}; and the consumer library.
 */
package dev.eventstore.demo;
