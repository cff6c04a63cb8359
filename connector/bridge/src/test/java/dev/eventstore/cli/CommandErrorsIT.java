package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.embedded.EmbeddedPostgresServer;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @Test
    void unreachableServer() {
        Cli.Result result = cli.with(ConnectionSettings.ENV_URL, "jdbc:postgresql://127.0.0.1:1/eventstore")
                .with(ConnectionSettings.ENV_PASSWORD, PASSWORD)
                .run("migrate");
        assertOneLineError(result, ExitCodes.FAILURE, "eventstore: cannot reach PostgreSQL: Connection to 127.0.0.1:1 refused");
        assertThat(result.err().lines()).hasSize(1);
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

        assertOneLineError(cli.run("migrate"), ExitCodes.FAILURE,
                "eventstore: the database schema is newer than this eventstore: migration 20991231000000 is applied"
                        + " but unknown here; upgrade eventstore before running it against this database");
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
