/**
 * JDBC plumbing shared by the library and the tools: connection settings and pools, and PostgreSQL
 * errors turned into one-line messages without secrets.
 *
 * <p>May depend on: no other package of the product; the JDBC driver and HikariCP only.
 */
package dev.eventstore.jdbc;
