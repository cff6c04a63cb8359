/**
 * Typed events: {@code EventSerializer} writes and reads event data as JSON,
 * {@code EventTypeRegistry} maps event type names and versions to classes, and {@code Upcaster}s
 * turn older versions into the current one on read.
 *
 * <p>May depend on: {@code dev.eventstore}; and Jackson.
 */
package dev.eventstore.serializer;
