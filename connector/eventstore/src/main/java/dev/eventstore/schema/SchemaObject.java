package dev.eventstore.schema;

/**
 * One object of the event store schema, as {@code drop} lists it before removing it.
 *
 * @param kind table, view, materialized view, sequence, function, procedure, publication
 * @param name its name within the schema (a function's with its argument types)
 */
public record SchemaObject(String kind, String name) {
}
