/**
 * A game simulation that writes realistic event streams (games, rounds, guesses) through the
 * library: the game's events, all at version 1, its scripts and a rate limiter. Developer tooling
 * and test data only.
 *
 * <p>May depend on: {@code dev.eventstore}, {@code dev.eventstore.serializer}; and the library
 * only.
 */
package dev.eventstore.simulation;
