package dev.eventstore.serializer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Turns the data of one version of an event type into the next version's shape, on read. Register
 * one per step ({@code 1 -> 2}, {@code 2 -> 3}, ...) with
 * {@link EventTypeRegistry.Builder#upcaster}; reading a version-1 event of a type now at version 3
 * applies both in order. Stored events are never rewritten: they are immutable.
 */
@FunctionalInterface
public interface Upcaster {

    /**
     * The data in the next version's shape. May modify and return {@code data} (a private copy
     * parsed for this read) or build a new node.
     */
    JsonNode upcast(JsonNode data);
}
