/**
 * The event store schema: migrations (Flyway, from the jar or a directory) applied, validated,
 * listed, reset and dropped by {@code SchemaManager}, schema names, and the SQL files it loads with
 * {@code SqlResource}.
 *
 * <p>May depend on: {@code dev.eventstore}, {@code dev.eventstore.jdbc}; and Flyway and the JDBC
 * driver.
 */
package dev.eventstore.schema;
