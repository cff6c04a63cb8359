/**
 * Embedded PostgreSQL, Kafka and a Kafka Connect worker for development and tests: started in-process or as child
 * processes, on loopback ports. Developer tooling only.
 *
 * <p>May depend on: no other package of the product.
 */
package dev.eventstore.embedded;
