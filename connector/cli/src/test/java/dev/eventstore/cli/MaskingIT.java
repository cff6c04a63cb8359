package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventstore.bridge.BridgeTestAccess;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.testing.TestDatabase;
import dev.eventstore.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every form a password can take in a database URL, a flag, the environment or a configuration
 * file, fed to every command of the packaged command line in a child process (as bin/eventstore
 * runs it: the product's logback.xml, its stdout and stderr), with and without --verbose: the
 * secret appears nowhere in what the process prints.
 */
class MaskingIT {

    /** A loopback port nothing listens on: each command fails at its first connection. */
    static final String DOWN = "127.0.0.1:1";
    static final long CHILD_TIMEOUT_SECONDS = 120;

    /** One way of giving a secret: command-line arguments and environment variables. */
    record Form(String name, String secret, List<String> args, Map<String, String> environment, String configLine) {
        Form(String name, String secret, List<String> args, Map<String, String> environment) {
            this(name, secret, args, environment, null);
        }
    }

    static List<Form> forms() {
        return List.of(
                new Form("postgresql://u:p@h (not a JDBC URL)", "Secret0userinfo",
                        List.of("--db-url", "postgresql://u:Secret0userinfo@" + DOWN + "/db"), Map.of()),
                new Form("jdbc:postgresql://u:p@h (read as a host name)", "Secret1userinfo",
                        List.of("--db-url", "jdbc:postgresql://u:Secret1userinfo@" + DOWN + "/db"), Map.of()),
                new Form("?password=", "Secret2query",
                        List.of("--db-url", "jdbc:postgresql://" + DOWN + "/db?password=Secret2query"), Map.of()),
                new Form("?user=...&password=", "Secret3amp",
                        List.of("--db-url", "jdbc:postgresql://" + DOWN + "/db?user=u&password=Secret3amp"), Map.of()),
                new Form("&sslpassword=", "Secret4ssl",
                        List.of("--db-url", "jdbc:postgresql://" + DOWN + "/db?sslmode=require&sslpassword=Secret4ssl"), Map.of()),
                new Form("a malformed URL with ?password=", "Secret5malformed",
                        List.of("--db-url", "jdbc:postgresql://[bad/db?password=Secret5malformed"), Map.of()),
                new Form("--db-password", "Secret6flag",
                        List.of("--db-url", "jdbc:postgresql://" + DOWN + "/db", "--db-password", "Secret6flag"), Map.of()),
                new Form("EVENTSTORE_DB_URL with user-info, EVENTSTORE_DB_PASSWORD", "Secret7env",
                        List.of(), Map.of(ConnectionSettings.ENV_URL, "jdbc:postgresql://u:Secret7env@" + DOWN + "/db",
                                ConnectionSettings.ENV_PASSWORD, "Secret7env")),
                new Form("EVENTSTORE_DB_URL with &password=", "Secret8envquery",
                        List.of(), Map.of(ConnectionSettings.ENV_URL, "jdbc:postgresql://" + DOWN + "/db?ssl=false&password=Secret8envquery")),
                new Form("a password= line in a configuration file", "Secret9file",
                        List.of(), Map.of(), "db.url=jdbc:postgresql://u:Secret9file@" + DOWN + "/db\ndb.password=Secret9file\n"));
    }

    /** Every command that connects, with the arguments it needs to get that far. */
    static List<List<String>> commands() {
        return List.of(
                List.of("status"), List.of("info"), List.of("migrate"), List.of("verify"), List.of("run"),
                List.of("replay", "--group", "masking-it", "--to-earliest"), List.of("republish", "--all"),
                List.of("cleanup", "--dry-run"), List.of("drop", "--force"), List.of("reset", "--force"), List.of("roles"));
    }

    private static boolean takesConfig(String command) {
        return List.of("status", "verify", "run", "replay", "republish", "cleanup").contains(command);
    }

    private final BridgeTestAccess support = new BridgeTestAccess();

    @TempDir
    Path directory;

    @AfterEach
    void dropSlot() {
        support.dropSlot();
    }

    @Test
    void noSecretInAnyOutputOfAnyCommandInAnyForm() throws Exception {
        List<String> failures = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            record Run(String description, Form form, Future<Cli.Result> result) {
            }
            List<Run> runs = new ArrayList<>();
            List<Form> forms = forms();
            List<List<String>> commands = commands();
            for (int c = 0; c < commands.size(); c++) {
                List<String> command = commands.get(c);
                for (int f = 0; f < forms.size(); f++) {
                    Form form = forms.get(f);
                    List<String> args = new ArrayList<>();
                    if (form.configLine() != null) {
                        if (!takesConfig(command.get(0))) {
                            continue;
                        }
                        Path file = directory.resolve("form" + f + "-" + command.get(0) + ".properties");
                        Files.writeString(file, form.configLine() + "kafka.bootstrap.servers=" + TestKafka.bootstrapServers()
                                + "\nhttp.port=-1\n", StandardCharsets.UTF_8);
                        args.addAll(List.of("--config", file.toString()));
                    }
                    // Each command and each form both with and without --verbose; the malformed URL,
                    // whose stack trace carries it, always with.
                    boolean verbose = (c + f) % 2 == 0 || form.name().startsWith("a malformed");
                    List<String> line = new ArrayList<>();
                    if (verbose) {
                        line.add("--verbose");
                    }
                    line.addAll(command);
                    line.addAll(form.args());
                    line.addAll(args);
                    Cli cli = new Cli();
                    form.environment().forEach(cli::with);
                    cli.with("EVENTSTORE_KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers())
                            .with("EVENTSTORE_HTTP_PORT", "-1")
                            .with(DatabaseOptions.ENV_SCHEMA, "masking_it");
                    String description = String.join(" ", line) + " [" + form.name() + "]";
                    runs.add(new Run(description, form, pool.submit(() ->
                            cli.startPackaged(directory, line.toArray(String[]::new)).finish(CHILD_TIMEOUT_SECONDS))));
                }
            }
            for (Run run : runs) {
                Cli.Result result = run.result().get(CHILD_TIMEOUT_SECONDS + 30, TimeUnit.SECONDS);
                if (result.all().contains(run.form().secret())) {
                    failures.add(run.description() + " printed the secret:\n" + result.all());
                } else if (result.exitCode() == ExitCodes.OK) {
                    failures.add(run.description() + " succeeded against a server that is not there:\n" + result.all());
                } else if (!result.err().startsWith("eventstore: ")) {
                    failures.add(run.description() + " did not start with its one-line error:\n" + result.all());
                }
            }
            assertThat(runs).hasSizeGreaterThan(100);
        } finally {
            pool.shutdownNow();
        }
        assertThat(failures).as(String.join("\n\n", failures)).isEmpty();
    }

    /**
     * The bridge with every informational log of Debezium, Kafka and pgjdbc (--verbose), its password
     * in the URL as well as in EVENTSTORE_DB_PASSWORD (the replication connection takes the
     * latter): it runs, prints its URL, stops, and never prints the password.
     */
    @Test
    void runWithThePasswordInTheUrlLogsItNowhere() {
        TestDatabase database = TestDatabase.get();
        Assumptions.assumeTrue(database.embedded() != null, "creates a role: only on the embedded server");
        String password = "Url-s3cret-Passw0rd";
        database.embedded().createRole("masking_url_role", password, "SUPERUSER", "REPLICATION");
        Cli cli = new Cli();
        support.environment().forEach(cli::with);
        String url = database.settings().url();
        cli.with(ConnectionSettings.ENV_URL, url + (url.contains("?") ? "&" : "?") + "password=" + password)
                .with(ConnectionSettings.ENV_USER, "masking_url_role")
                .with(ConnectionSettings.ENV_PASSWORD, password);
        Cli.Child bridge = cli.startPackaged(directory, "--verbose", "run");
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> bridge.outSoFar().contains(" publishing ") || !bridge.isAlive());
            assertThat(bridge.isAlive()).as(bridge.errSoFar()).isTrue();
        } finally {
            bridge.terminate();
        }
        Cli.Result result = bridge.finish(60);
        assertThat(result.err()).as("informational logs were written").contains("INFO");
        assertThat(result.out()).as(result.all()).contains("password=***");
        assertThat(result.all()).doesNotContain(password);
    }
}
