package dev.eventstore.schema;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the migrations come from: the ones built into the library jar (the product's schema), or
 * a directory, such as a checkout's {@code migrations/} that {@code gen-migration} writes into.
 * Never both: the same version found twice is an error in Flyway.
 */
public record MigrationSource(String flywayLocation, String description) {

    /** The migrations packaged in the library jar, copied from the project's {@code migrations/}. */
    public static MigrationSource builtIn() {
        return new MigrationSource("classpath:dev/eventstore/migrations", "built-in migrations");
    }

    /** The {@code .sql} migrations in {@code directory}. */
    public static MigrationSource directory(Path directory) {
        Path absolute = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(absolute)) {
            throw new SchemaException("migrations directory " + absolute + " does not exist");
        }
        return new MigrationSource("filesystem:" + absolute, "migrations in " + absolute);
    }
}
