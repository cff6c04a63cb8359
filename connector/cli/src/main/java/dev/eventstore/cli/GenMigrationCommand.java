package dev.eventstore.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
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
            "Its version is unique and above every migration there, also when several runs write at once.",
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
            throw new CommandFailedException("invalid migration name " + CommandInputs.quote(name)
                    + ": use 1 to 100 letters, digits and underscores", ExitCodes.USAGE);
        }
        String fromEnvironment = root.environment().get(DatabaseOptions.ENV_MIGRATIONS_DIR);
        Path target = directory != null ? directory : Path.of(fromEnvironment != null ? fromEnvironment : "migrations");
        if (!Files.isDirectory(target)) {
            throw new CommandFailedException("migrations directory " + CommandInputs.quote(target.toAbsolutePath().normalize().toString())
                    + " does not exist");
        }
        Path file = reserve(target, clock.instant());
        spec.commandLine().getOut().println("Wrote " + file);
        return ExitCodes.OK;
    }

    /**
     * Writes the migration under the first version from {@code now} on that no file of
     * {@code target} has, and above every version there. Runs at once (from several shells, a
     * script) get one version each: a version is taken by creating its file with CREATE_NEW under
     * an exclusive lock of the directory's lock file in the temporary directory, so no two runs
     * can both see a version as free.
     */
    private Path reserve(Path target, Instant now) throws IOException {
        Path real = target.toRealPath();
        Path lockFile = Path.of(System.getProperty("java.io.tmpdir"),
                "eventstore-gen-migration-" + Integer.toHexString(real.toString().hashCode()) + ".lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.lock()) {
            Instant version = now.truncatedTo(ChronoUnit.SECONDS);
            String highest = highestVersion(real);
            if (highest != null && VERSION.format(version).compareTo(highest) <= 0) {
                version = VERSION.parse(highest, Instant::from).plusSeconds(1);
            }
            for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++, version = version.plusSeconds(1)) {
                String v = VERSION.format(version);
                if (versionTaken(real, v)) {
                    continue;
                }
                Path file = target.resolve("V" + v + "__" + name + ".sql");
                try {
                    Files.writeString(file, header(v), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE);
                    return file;
                } catch (FileAlreadyExistsException e) {
                    // Taken meanwhile by a run that does not lock (an older eventstore): the next one.
                }
            }
        }
        throw new CommandFailedException("no free migration version in " + MAX_ATTEMPTS + " s after " + VERSION.format(now)
                + " in " + target);
    }

    private static final int MAX_ATTEMPTS = 100;

    private static boolean versionTaken(Path directory, String version) throws IOException {
        try (Stream<Path> existing = Files.list(directory)) {
            return existing.anyMatch(p -> p.getFileName().toString().startsWith("V" + version + "__"));
        }
    }

    /** The highest 14-digit version among the migrations of {@code directory}, or {@code null}. */
    private static String highestVersion(Path directory) throws IOException {
        try (Stream<Path> existing = Files.list(directory)) {
            return existing.map(p -> p.getFileName().toString())
                    .map(n -> VERSION_OF_FILE.matcher(n))
                    .filter(Matcher::matches)
                    .map(m -> m.group(1))
                    .max(String::compareTo)
                    .orElse(null);
        }
    }

    private static final Pattern VERSION_OF_FILE = Pattern.compile("V(\\d{14})__.*\\.sql");

    private String header(String version) {
        return String.join("\n",
                "-- Migration " + version + ": " + name.replace('_', ' '),
                "-- Written by `eventstore gen-migration` on " + clock.instant() + ".",
                "-- Flyway runs it once, in a transaction, with search_path set to the event store schema:",
                "-- write object names unqualified. Never edit it once applied; add a new migration instead.",
                "-- A function or view is changed in its repeatable migration (R__1_function_<name>.sql,",
                "-- R__2_view_<name>.sql), and privileges in R__3_grants.sql, which migrate runs again.",
                "",
                "");
    }
}
