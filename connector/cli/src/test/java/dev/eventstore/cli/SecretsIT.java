package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventstore.bridge.BridgeTestAccess;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Passwords come from the environment and never reach output or logs: migrate, run (with
 * --verbose, so every informational log of Debezium and Kafka is written) and a failed login.
 */
class SecretsIT {

    static final String PASSWORD = "Very-s3cret-passw0rd";

    private final TestDatabase database = TestDatabase.get();
    private final BridgeTestAccess support = new BridgeTestAccess();

    @TempDir
    Path directory;

    @AfterEach
    void dropSlot() {
        support.dropSlot();
    }

    private Cli asSecretRole() {
        Assumptions.assumeTrue(database.embedded() != null, "creates a role: only on the embedded server");
        database.embedded().createRole("secret_holder", PASSWORD, "SUPERUSER", "REPLICATION");
        Cli cli = new Cli();
        support.environment().forEach(cli::with);
        return cli.with(ConnectionSettings.ENV_USER, "secret_holder").with(ConnectionSettings.ENV_PASSWORD, PASSWORD);
    }

    @Test
    void migrateWithAPasswordNeverPrintsIt() {
        Cli.Result result = asSecretRole().run("--verbose", "migrate");
        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.all()).doesNotContain(PASSWORD);
    }

    @Test
    void runLogsNoPasswordEvenVerbose() {
        Cli.Child bridge = asSecretRole().start(directory, "--verbose", "run");
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> bridge.outSoFar().contains(" publishing ") || !bridge.isAlive());
            assertThat(bridge.isAlive()).as(bridge.errSoFar()).isTrue();
        } finally {
            bridge.terminate();
        }
        Cli.Result result = bridge.finish(60);
        assertThat(result.err()).as("informational logs were written").contains("INFO");
        assertThat(result.all()).doesNotContain(PASSWORD);
    }

    @Test
    void failedLoginNeverPrintsThePassword() {
        Cli.Result result = asSecretRole().with(ConnectionSettings.ENV_USER, "no_such_role").run("--verbose", "info");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(result.all()).doesNotContain(PASSWORD).contains("no_such_role");
    }
}
