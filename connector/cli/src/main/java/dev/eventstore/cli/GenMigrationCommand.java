package dev.eventstore.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "gen-migration", mixinStandardHelpOptions = true,
        description = {
            "Write an empty migration, migrations/V<UTC yyyyMMddHHmmss>__<NAME>.sql, for the next migrate to apply.",
            "Never edit a migration once applied: add a new one."
        })
final class GenMigrationCommand implements Callable<Integer> {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]{1,100}");
    private static final DateTimeFormatter VERSION = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

    @ParentCommand
    EventStoreCommand root;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "What the migration does, in letters, digits and underscores.")
    String name;

    @Option(names = "--migrations-dir", paramLabel = "DIR",
            description = "Directory to write into (env: EVENTSTORE_MIGRATIONS_DIR; default: ./migrations).")
    Path directory;

    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() throws IOException {
        if (!NAME.matcher(name).matches()) {
            throw new CommandFailedException("invalid migration name '" + name
                    + "': use 1 to 100 letters, digits and underscores", ExitCodes.USAGE);
        }
        String fromEnvironment = root.environment().get(DatabaseOptions.ENV_MIGRATIONS_DIR);
        Path target = directory != null ? directory : Path.of(fromEnvironment != null ? fromEnvironment : "migrations");
        if (!Files.isDirectory(target)) {
            throw new CommandFailedException("migrations directory " + target.toAbsolutePath().normalize() + " does not exist");
        }
        String version = VERSION.format(clock.instant());
        try (Stream<Path> existing = Files.list(target)) {
            if (existing.anyMatch(p -> p.getFileName().toString().startsWith("V" + version + "__"))) {
                throw new CommandFailedException("a migration with version " + version + " already exists in "
                        + target + "; wait a second and run again");
            }
        }
        Path file = target.resolve("V" + version + "__" + name + ".sql");
        String header = String.join("\n",
                "-- Migration " + version + ": " + name.replace('_', ' '),
                "-- Written by `eventstore gen-migration` on " + clock.instant() + ".",
                "-- Flyway runs it once, in a transaction, with search_path set to the event store schema:",
                "-- write object names unqualified. Never edit it once applied; add a new migration instead.",
                "",
                "");
        try {
            Files.writeString(file, header, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        } catch (FileAlreadyExistsException e) {
            throw new CommandFailedException("migration " + file + " already exists");
        }
        spec.commandLine().getOut().println("Wrote " + file);
        return ExitCodes.OK;
    }
}
