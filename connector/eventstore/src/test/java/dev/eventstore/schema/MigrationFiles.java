package dev.eventstore.schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The project's {@code migrations/} directory as the tests read it: the versioned migrations
 * ({@code V...sql}), which run once each, and the repeatable ones ({@code R__...sql}), each the
 * current definition of one function or view, or the grants.
 */
final class MigrationFiles {

    static final Path DIRECTORY = Path.of(System.getProperty("user.dir")).resolve("../../migrations").normalize();

    private MigrationFiles() {
    }

    static List<Path> versioned() {
        return list("V");
    }

    static List<Path> repeatable() {
        return list("R__");
    }

    /** The file's SQL as Flyway runs it in {@code schema}: its one placeholder replaced. */
    static String sql(Path file, String schema) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).replace("${flyway:defaultSchema}", schema);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> list(String prefix) {
        try (Stream<Path> files = Files.list(DIRECTORY)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix) && f.toString().endsWith(".sql"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
