/**
 * Maintenance of the store's data as its owner: cleanup (hard deletes of soft-deleted streams, with
 * their audit rows) and the audit log.
 *
 * <p>May depend on: {@code dev.eventstore.jdbc}, {@code dev.eventstore.schema}; and the JDBC
 * driver and Kafka's admin client (consumer groups); never the developer tools, the embedded
 * servers or the simulation.
 */
package dev.eventstore.maintenance;
