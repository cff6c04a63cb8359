/**
 * The {@code eventstore} command line (picocli): one class per command, its options, exit codes,
 * output formats and the progress bar shared with the benchmark.
 *
 * <p>May depend on: {@code dev.eventstore}, {@code dev.eventstore.admin},
 * {@code dev.eventstore.bridge}, {@code dev.eventstore.jdbc}, {@code dev.eventstore.maintenance},
 * {@code dev.eventstore.schema}; and picocli; never the developer tools, the embedded servers or
 * the simulation (they add their commands to it from outside).
 */
package dev.eventstore.cli;
