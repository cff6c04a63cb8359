/**
 * Fault-injection tests of the whole pipeline on the real embedded PostgreSQL and Kafka: the rig
 * that starts and breaks them (bridge kills, outages, restores) and the scenarios that check what
 * is promised. Tests only.
 */
package dev.eventstore.faults;
