package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.embedded.EmbeddedPostgresServer;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input gets one clear line on stderr, a non-zero exit code and no stack trace (unless
 * --verbose), and never shows a password.
 */
class CommandErrorsIT {

    static final String SCHEMA = "cli_errors_it";
    static final String PASSWORD = "s3cret-Pa55word";
    /** A loopback port nothing listens on. */
    static final String UNREACHABLE_URL = "jdbc:postgresql://127.0.0.1:1/eventstore";
    static final String UNREACHABLE = "eventstore: cannot reach PostgreSQL: Connection to 127.0.0.1:1 refused";
    static final String SCHEMA_NEWER = "eventstore: the database schema is newer than this eventstore:"
            + " migration 20991231000000 is applied but unknown here;"
            + " upgrade eventstore before running it against this database";
    /** A role that logs in with {@link #PASSWORD} (scram-sha-256), for the child-process cases. */
    static final String ROLE = "cli_errors_login";
    static final long CHILD_TIMEOUT_SECONDS = 120;

    private final TestDatabase database = TestDatabase.get();
    private final Cli cli = new Cli()
            .with(ConnectionSettings.ENV_URL, database.settings().url())
            .with(ConnectionSettings.ENV_USER, database.settings().user())
            .with(DatabaseOptions.ENV_SCHEMA, SCHEMA);

    @BeforeEach
    @AfterEach
    void dropSchema() {
        database.dropSchema(SCHEMA);
    }

    private static void assertOneLineError(Cli.Result result, int exitCode, String line) {
        assertThat(result.exitCode()).as(result.all()).isEqualTo(exitCode);
        assertThat(result.err().lines().findFirst()).as(result.all()).hasValue(line);
        assertThat(result.err()).doesNotContain("\tat ", "Exception");
        assertThat(result.all()).doesNotContain(PASSWORD);
    }

    /**
     * For a real child process of the packaged command line, whose stderr also carries whatever
     * logging writes: exactly the one line, nothing else on stderr, and no password anywhere.
     */
    private static void assertOnlyLineOnStderr(Cli.Result result, int exitCode, String line) {
        assertThat(result.exitCode()).as(result.all()).isEqualTo(exitCode);
        assertThat(result.err().lines().toList()).as(result.all()).containsExactly(line);
        assertThat(result.err()).as(result.all()).doesNotContain("Exception").doesNotContainPattern("(?m)^\\s*at ");
        assertThat(result.out()).as(result.all()).doesNotContain("Exception").doesNotContainPattern("(?m)^\\s*at ");
        assertThat(result.out()).doesNotContain(PASSWORD);
        assertThat(result.err()).doesNotContain(PASSWORD);
    }

    private EmbeddedPostgresServer embeddedServer() {
        EmbeddedPostgresServer server = database.embedded();
        org.junit.jupiter.api.Assumptions.assumeTrue(server != null, "needs the embedded server to create a role");
        return server;
    }

    @Test
    void unreachableServer() {
        Cli.Result result = cli.with(ConnectionSettings.ENV_URL, UNREACHABLE_URL)
                .with(ConnectionSettings.ENV_PASSWORD, PASSWORD)
                .run("migrate");
        assertOneLineError(result, ExitCodes.FAILURE, UNREACHABLE);
        assertThat(result.err().lines()).hasSize(1);
    }

    @Test
    void unreachableServerInAChildProcessOfThePackagedCommandLine() {
        Cli.Result result = new Cli()
                .with(ConnectionSettings.ENV_URL, UNREACHABLE_URL)
                .with(ConnectionSettings.ENV_USER, ROLE)
                .with(ConnectionSettings.ENV_PASSWORD, PASSWORD)
                .with(DatabaseOptions.ENV_SCHEMA, SCHEMA)
                .startPackaged(null, "migrate")
                .finish(CHILD_TIMEOUT_SECONDS);
        assertOnlyLineOnStderr(result, ExitCodes.FAILURE, UNREACHABLE);
    }

    @Test
    void wrongPassword() {
        EmbeddedPostgresServer server = database.embedded();
        org.junit.jupiter.api.Assumptions.assumeTrue(server != null, "needs the embedded server to create a role");
        server.createRole("cli_login", "the-right-password");

        Cli.Result result = cli.with(ConnectionSettings.ENV_USER, "cli_login")
                .with(ConnectionSettings.ENV_PASSWORD, PASSWORD)
                .run("info");
        assertOneLineError(result, ExitCodes.FAILURE,
                "eventstore: PostgreSQL refused the login: FATAL: password authentication failed for user \"cli_login\"");
    }

    @Test
    void passwordOnTheCommandLineIsNotEchoed() {
        Cli.Result result = cli.with(ConnectionSettings.ENV_URL, "jdbc:postgresql://127.0.0.1:1/eventstore")
                .run("info", "--db-password", PASSWORD, "--db-url", "jdbc:postgresql://127.0.0.1:1/x?password=" + PASSWORD);
        assertOneLineError(result, ExitCodes.FAILURE, "eventstore: cannot reach PostgreSQL: Connection to 127.0.0.1:1 refused");
    }

    @Test
    void unknownOption() {
        Cli.Result result = cli.run("migrate", "--db-pasword=" + PASSWORD);
        assertOneLineError(result, ExitCodes.USAGE, "eventstore: unknown option --db-pasword");
        assertThat(result.err()).contains("Try 'eventstore migrate --help'");
    }

    @Test
    void unknownCommand() {
        Cli.Result result = cli.run("migrat");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).startsWith("eventstore: ");
    }

    @Test
    void noDatabaseGiven() {
        Cli.Result result = new Cli().run("info");
        assertOneLineError(result, ExitCodes.USAGE, "eventstore: no database given: pass --db-url or set EVENTSTORE_DB_URL");
    }

    @Test
    void invalidSchemaName() {
        Cli.Result result = cli.run("migrate", "--schema", "game;drop");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).startsWith("eventstore: invalid schema name 'game;drop'");
    }

    @Test
    void databaseSchemaNewerThanTheCode() {
        assertThat(cli.run("migrate").exitCode()).isZero();
        database.execute("INSERT INTO " + SCHEMA + ".flyway_schema_history"
                + " (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)"
                + " VALUES (1000, '20991231000000', 'newer', 'SQL', 'V20991231000000__newer.sql', 1, current_user, 1, true)");

        assertOneLineError(cli.run("migrate"), ExitCodes.FAILURE, SCHEMA_NEWER);
    }

    @Test
    void databaseSchemaNewerThanTheCodeInAChildProcessOfThePackagedCommandLine() {
        embeddedServer().createRole(ROLE, PASSWORD, "SUPERUSER");
        assertThat(cli.run("migrate").exitCode()).isZero();
        database.execute("INSERT INTO " + SCHEMA + ".flyway_schema_history"
                + " (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)"
                + " VALUES (1000, '20991231000000', 'newer', 'SQL', 'V20991231000000__newer.sql', 1, current_user, 1, true)");

        Cli.Result result = new Cli()
                .with(ConnectionSettings.ENV_URL, database.settings().url())
                .with(ConnectionSettings.ENV_USER, ROLE)
                .with(ConnectionSettings.ENV_PASSWORD, PASSWORD)
                .with(DatabaseOptions.ENV_SCHEMA, SCHEMA)
                .startPackaged(null, "migrate")
                .finish(CHILD_TIMEOUT_SECONDS);
        assertOnlyLineOnStderr(result, ExitCodes.FAILURE, SCHEMA_NEWER);
    }

    /** --db-url, --db-user and --db-password alone (no EVENTSTORE_* variables) are enough, and used. */
    @Test
    void connectionFromFlagsOnlyInAChildProcessOfThePackagedCommandLine() throws Exception {
        embeddedServer().createRole(ROLE, PASSWORD, "SUPERUSER");
        String url = database.settings().url();

        Cli.Result migrated = new Cli().startPackaged(null, "migrate",
                "--db-url", url, "--db-user", ROLE, "--db-password", PASSWORD, "--schema", SCHEMA)
                .finish(CHILD_TIMEOUT_SECONDS);
        assertThat(migrated.exitCode()).as(migrated.all()).isZero();
        assertThat(migrated.out()).as(migrated.all()).startsWith("Applied ").contains("to schema " + SCHEMA + ": 20240000000000");
        assertThat(migrated.err()).as(migrated.all()).isEmpty();

        Cli.Result info = new Cli().startPackaged(null, "info",
                "--db-url", url, "--db-user", ROLE, "--db-password", PASSWORD, "--schema", SCHEMA)
                .finish(CHILD_TIMEOUT_SECONDS);
        assertThat(info.exitCode()).as(info.all()).isZero();
        assertThat(info.out()).as(info.all()).contains("20240000000000", "Success").contains(", 0 pending.");
        assertThat(info.err()).as(info.all()).isEmpty();
        assertThat(migrated.all() + info.all()).doesNotContain(PASSWORD);

        // The role of --db-user, not a default one, applied the migrations ...
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT DISTINCT installed_by FROM " + SCHEMA + ".flyway_schema_history")) {
            List<String> installers = new ArrayList<>();
            while (rows.next()) {
                installers.add(rows.getString(1));
            }
            assertThat(installers).containsExactly(ROLE);
        }
        // ... and --db-password is what it logs in with.
        Cli.Result wrongPassword = new Cli().startPackaged(null, "info",
                "--db-url", url, "--db-user", ROLE, "--db-password", "not-" + PASSWORD, "--schema", SCHEMA)
                .finish(CHILD_TIMEOUT_SECONDS);
        assertOnlyLineOnStderr(wrongPassword, ExitCodes.FAILURE,
                "eventstore: PostgreSQL refused the login: FATAL: password authentication failed for user \"" + ROLE + "\"");
        assertThat(wrongPassword.all()).doesNotContain("not-" + PASSWORD);
    }

    @Test
    void migrationEditedAfterItWasApplied(@TempDir Path directory) throws Exception {
        Path migrations = SchemaCommandsIT.copyOfProjectMigrations(directory);
        cli.with(DatabaseOptions.ENV_MIGRATIONS_DIR, migrations.toString());
        assertThat(cli.run("migrate").exitCode()).isZero();
        Path initial = migrations.resolve("V20240000000000__initial_setup.sql");
        Files.writeString(initial, Files.readString(initial) + "\n-- an innocent-looking edit\n", StandardCharsets.UTF_8);

        assertOneLineError(cli.run("migrate"), ExitCodes.FAILURE,
                "eventstore: migration 20240000000000 was edited after it was applied (checksum mismatch);"
                        + " restore the file as applied and put the change in a new migration");
    }

    @Test
    void verboseAddsTheStackTrace() {
        Cli.Result result = cli.with(ConnectionSettings.ENV_URL, "jdbc:postgresql://127.0.0.1:1/eventstore")
                .run("--verbose", "info");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(result.err()).startsWith("eventstore: cannot reach PostgreSQL").contains("\tat ");
    }
}
