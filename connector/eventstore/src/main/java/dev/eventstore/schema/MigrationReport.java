package dev.eventstore.schema;

import java.util.List;

/**
 * What one {@code migrate} did.
 *
 * @param applied the versions applied by this run, oldest first (empty when already up to date)
 * @param initialVersion the schema version before, or {@code null} for an empty schema
 * @param currentVersion the schema version after
 */
public record MigrationReport(List<String> applied, String initialVersion, String currentVersion) {

    public boolean upToDate() {
        return applied.isEmpty();
    }
}
