package dev.eventstore.schema;

import java.util.List;

/**
 * What one {@code migrate} did.
 *
 * @param applied what this run applied: the versions of versioned migrations, oldest first, then the
 *     file names of the repeatable ones ({@code R__...sql}) it ran because they are new or changed
 *     (empty when already up to date)
 * @param initialVersion the schema version before, or {@code null} for an empty schema
 * @param currentVersion the schema version after
 */
public record MigrationReport(List<String> applied, String initialVersion, String currentVersion) {

    public boolean upToDate() {
        return applied.isEmpty();
    }
}
