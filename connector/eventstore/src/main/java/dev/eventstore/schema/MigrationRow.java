package dev.eventstore.schema;

import java.time.Instant;

/**
 * One line of {@code eventstore info}: a migration known to the code or the database.
 *
 * @param version the migration's version, e.g. {@code 20240000000000}
 * @param description the words of its file name after the version
 * @param state Flyway's state: Pending, Success, Failed, Future (applied but unknown here), ...
 * @param installedOn when it was applied, or {@code null} if pending
 * @param applied whether the database has it
 */
public record MigrationRow(String version, String description, String state, Instant installedOn, boolean applied) {
}
