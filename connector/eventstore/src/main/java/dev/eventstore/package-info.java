/**
 * The event store library a game server uses: {@code EventStore} appends to and reads streams,
 * soft-deletes them and keeps subscription positions through the schema's SQL functions;
 * {@code EventData}, {@code RecordedEvent}, {@code ExpectedVersion} and the exceptions are its API,
 * configured by {@code EventStoreConfig}.
 *
 * <p>May depend on: {@code dev.eventstore.jdbc}, {@code dev.eventstore.schema},
 * {@code dev.eventstore.serializer}; and the JDBC driver, HikariCP, Jackson and Flyway (through
 * {@code dev.eventstore.schema}).
 */
package dev.eventstore;
