/**
 * The test kit (artifact {@code eventstore-test}): {@link dev.eventstore.testing.EventStoreExtension},
 * the JUnit 5 extension that gives each test class a migrated event store of its own, reset
 * before each test, on an embedded PostgreSQL, a Testcontainers PostgreSQL or a server by URL;
 * {@link dev.eventstore.testing.EventStoreTest}, its annotation; and
 * {@link dev.eventstore.testing.EndToEndMode}, what the end-to-end artifact plugs in.
 *
 * <p>May depend on: {@code dev.eventstore}, {@code dev.eventstore.jdbc}, {@code dev.eventstore.schema};
 * and JUnit's API, zonky's embedded PostgreSQL, the PostgreSQL driver and SLF4J; on Testcontainers
 * only inside {@code ContainerServer} (an optional dependency). Never on Kafka, the bridge or
 * Connect: those come with {@code eventstore-test-kafka}.
 */
package dev.eventstore.testing;
