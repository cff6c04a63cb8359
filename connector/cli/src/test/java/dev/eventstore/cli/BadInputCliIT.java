package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.bridge.BridgeTestAccess;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.testing.TestDatabase;
import dev.eventstore.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input catalogue of the command line, each through the packaged command line in a child
 * process (the product's logging, stdout and stderr): one line on stderr naming the problem, the
 * exit code (2 for a wrong command line or settings file, 1 for a refusal), nothing written.
 */
class BadInputCliIT {

    static final long CHILD_TIMEOUT_SECONDS = 120;
    static final String SLOT = "bad_input_cli_slot";

    private final TestDatabase database = TestDatabase.get();
    private final BridgeTestAccess support = new BridgeTestAccess();

    @TempDir
    Path directory;

    @AfterEach
    void cleanUp() {
        support.dropSlot();
        database.dropSchema("bad_input_other");
        database.dropSchema("bad_input_owned");
    }

    private Cli pipelineCli() {
        Cli cli = new Cli();
        support.environment().forEach(cli::with);
        return cli;
    }

    private Cli.Result packaged(Cli cli, String... args) {
        return cli.startPackaged(directory, args).finish(CHILD_TIMEOUT_SECONDS);
    }

    /** Exactly one line on stderr, starting with {@code line}; no stack trace anywhere. */
    private static void assertOneLine(Cli.Result result, int exitCode, String line) {
        assertThat(result.exitCode()).as(result.all()).isEqualTo(exitCode);
        assertThat(result.err().lines().toList()).as(result.all()).hasSize(1);
        assertThat(result.err()).as(result.all()).startsWith("eventstore: " + line);
        assertThat(result.all()).as(result.all()).doesNotContain("Exception").doesNotContainPattern("(?m)^\\s*at ");
        assertThat(result.err().chars().filter(c -> Character.isISOControl(c) && c != '\n'))
                .as("control characters printed raw: " + result.err()).isEmpty();
    }

    private boolean slotExists(String slot) throws Exception {
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            rows.next();
            return rows.getInt(1) > 0;
        }
    }

    private long count(String sql) throws Exception {
        try (Connection c = database.connect(); Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    // ------------------------------------------------------------------- run --config FILE

    private String settings() {
        return "db.url=" + database.settings().url() + "\n"
                + "db.user=" + database.settings().user() + "\n"
                + "schema=" + pipelineCli().environment().get("EVENTSTORE_SCHEMA") + "\n"
                + "slot.name=" + SLOT + "\n"
                + "kafka.bootstrap.servers=" + TestKafka.bootstrapServers() + "\n"
                + "http.port=-1\n";
    }

    private DynamicTest refusedFile(String name, Path file, String message) {
        return dynamicTest(name, () -> {
            Cli.Result result = packaged(new Cli(), "run", "--config", file.toString());
            assertOneLine(result, ExitCodes.USAGE, "");
            assertThat(result.err()).as(result.all()).contains(message);
            assertThat(slotExists(SLOT)).as("the bridge started: its slot exists").isFalse();
        });
    }

    private Path file(String name, String text) throws Exception {
        return Files.writeString(directory.resolve(name), text, StandardCharsets.UTF_8);
    }

    @TestFactory
    Stream<DynamicTest> configurationFilesThatAreNotRightAreRefusedInOneLine() throws Exception {
        byte[] binary = new byte[4096];
        new java.util.Random(7).nextBytes(binary);
        Path unreadable = file("unreadable.properties", settings());
        Files.setPosixFilePermissions(unreadable, PosixFilePermissions.fromString("---------"));
        List<DynamicTest> tests = new ArrayList<>(List.of(
                refusedFile("a directory", directory, "is a directory"),
                refusedFile("/dev/null", Path.of("/dev/null"), "/dev/null is not a regular file"),
                refusedFile("a binary file", Files.write(directory.resolve("binary.properties"), binary), "(a binary file?)"),
                refusedFile("a NUL in schema", file("nul.properties", settings().replace("schema=", "schema=a\u0000")),
                        "line 3: control character U+0000"),
                refusedFile("a key given twice", file("twice.properties", settings() + "db.user=someone_else\n"),
                        "'db.user' is set twice, on lines 2 and 7; keep one"),
                refusedFile("slot.name with quotes", file("slot-quote.properties",
                        settings().replace("slot.name=" + SLOT, "slot.name=a\"b'c")), "for configuration slot.name: must be"),
                refusedFile("slot.name of 100 characters", file("slot-long.properties",
                        settings().replace("slot.name=" + SLOT, "slot.name=" + "s".repeat(100))), "for configuration slot.name: must be"),
                refusedFile("bridge.name with quotes", file("name-quote.properties", settings() + "bridge.name=a\"b'c\n"),
                        "for configuration bridge.name: must be"),
                refusedFile("bridge.name of 100 characters", file("name-long.properties", settings() + "bridge.name=" + "n".repeat(100) + "\n"),
                        "for configuration bridge.name: must be"),
                refusedFile("an illegal dead-letter topic", file("dead-letter.properties",
                        settings() + "errors.dead.letter.topic=bad topic!\n"), "for configuration errors.dead.letter.topic: must be")));
        if (!Files.isReadable(unreadable)) {
            tests.add(refusedFile("an unreadable file", unreadable, "unreadable.properties: permission denied"));
        }
        return tests.stream();
    }

    // ------------------------------------------------------------------- --category, --group

    @TestFactory
    Stream<DynamicTest> badCategoriesAreRefusedInOneLine() throws Exception {
        support.store().append("game-1", ExpectedVersion.ANY, List.of(EventData.of("Started", "{}")));
        return Stream.of(
                dynamicTest("republish --category ''", () -> refusedCategory(ExitCodes.USAGE, "invalid --category: must not be empty",
                        "republish", "--category", "")),
                dynamicTest("republish --category %", () -> refusedCategory(ExitCodes.FAILURE, "no stream of category '%' in schema",
                        "republish", "--category", "%")),
                dynamicTest("republish --category of 100,000 characters", () -> refusedCategory(ExitCodes.USAGE,
                        "invalid --category 'ccccc", "republish", "--category", "c".repeat(100_000))),
                dynamicTest("republish --category with a control character", () -> refusedCategory(ExitCodes.USAGE,
                        "invalid --category 'ga\\u001Bme': contains a control character", "republish", "--category", "ga\u001bme")),
                dynamicTest("verify --category gmae (a typo)", () -> refusedCategory(ExitCodes.NOT_CHECKED,
                        "verify could not check: no stream of category 'gmae' in schema", "verify", "--category", "gmae")),
                dynamicTest("verify --category game-1 (a stream id)", () -> refusedCategory(ExitCodes.USAGE,
                        "invalid --category 'game-1': is a stream id, not a category (its category is 'game')",
                        "verify", "--category", "game-1")),
                dynamicTest("replay --group ''", () -> refusedCategory(ExitCodes.USAGE, "invalid --group: must not be empty",
                        "replay", "--group", "", "--to-earliest")));
    }

    private void refusedCategory(int exitCode, String line, String... args) throws Exception {
        String schema = pipelineCli().environment().get("EVENTSTORE_SCHEMA");
        long audited = count("SELECT count(*) FROM " + schema + ".audit_log");
        Cli.Result result = packaged(pipelineCli(), args);
        assertOneLine(result, exitCode, line);
        assertThat(count("SELECT count(*) FROM " + schema + ".audit_log")).as("nothing done, nothing audited").isEqualTo(audited);
    }

    // ------------------------------------------------------------------- Kafka not there

    @Test
    void kafkaNotAnsweringIsOneLineWithinSeconds() {
        List<List<String>> commands = List.of(List.of("status"), List.of("verify"),
                List.of("replay", "--group", "bad-input-cli", "--to-earliest"), List.of("cleanup", "--dry-run"));
        Instant start = Instant.now();
        List<Cli.Child> children = commands.stream()
                .map(command -> pipelineCli().with("EVENTSTORE_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")
                        .startPackaged(directory, command.toArray(String[]::new)))
                .toList();
        for (int i = 0; i < children.size(); i++) {
            Cli.Result result = children.get(i).finish(CHILD_TIMEOUT_SECONDS);
            boolean verify = commands.get(i).get(0).equals("verify");
            assertOneLine(result, verify ? ExitCodes.NOT_CHECKED : ExitCodes.FAILURE, (verify ? "verify could not check: " : "")
                    + "cannot reach Kafka at 127.0.0.1:1: no answer within 10 s");
        }
        assertThat(Duration.between(start, Instant.now())).as("instead of Kafka's 60 s").isLessThan(Duration.ofSeconds(50));
    }

    // ------------------------------------------------------------------- gen-migration

    @Test
    void genMigrationsRunAtOnceGetVersionsOfTheirOwn() throws Exception {
        Path migrations = Files.createDirectory(directory.resolve("migrations"));
        List<Cli.Child> runs = Stream.of("first", "second", "third", "fourth")
                .map(name -> new Cli().startPackaged(directory, "gen-migration", "--migrations-dir", migrations.toString(), name))
                .toList();
        for (Cli.Child run : runs) {
            Cli.Result result = run.finish(CHILD_TIMEOUT_SECONDS);
            assertThat(result.exitCode()).as(result.all()).isZero();
        }
        try (Stream<Path> files = Files.list(migrations)) {
            List<String> versions = files.map(p -> p.getFileName().toString()).map(n -> n.substring(1, n.indexOf("__"))).toList();
            assertThat(versions).hasSize(4).doesNotHaveDuplicates();
        }
    }

    @Test
    void genMigrationNameWithANewlineIsRefusedEscaped() throws Exception {
        Path migrations = Files.createDirectory(directory.resolve("migrations"));
        Cli.Result result = packaged(new Cli(), "gen-migration", "--migrations-dir", migrations.toString(), "add\nindex");
        assertOneLine(result, ExitCodes.USAGE, "invalid migration name 'add\\u000Aindex'");
        try (Stream<Path> files = Files.list(migrations)) {
            assertThat(files).isEmpty();
        }
    }

    // ------------------------------------------------------------------- drop

    private Cli databaseCli(String schema) {
        return new Cli().with(ConnectionSettings.ENV_URL, database.settings().url())
                .with(ConnectionSettings.ENV_USER, database.settings().user())
                .with(DatabaseOptions.ENV_SCHEMA, schema);
    }

    @Test
    void dropRefusesASchemaThatIsNotAnEventStore() throws Exception {
        database.execute("CREATE SCHEMA bad_input_other");
        database.execute("CREATE TABLE bad_input_other.invoices (id int PRIMARY KEY)");
        database.execute("INSERT INTO bad_input_other.invoices VALUES (1)");

        Cli.Result result = packaged(databaseCli("bad_input_other"), "drop", "--force");

        assertOneLine(result, ExitCodes.FAILURE, "refusing to drop schema bad_input_other: it is not an event store created"
                + " by eventstore (no flyway_schema_history); nothing was dropped");
        assertThat(count("SELECT count(*) FROM bad_input_other.invoices")).isEqualTo(1);
    }

    @Test
    void dropRefusesASchemaTheRoleDoesNotOwnBeforeSayingAnything() throws Exception {
        Assumptions.assumeTrue(database.embedded() != null, "creates a role: only on the embedded server");
        assertThat(databaseCli("bad_input_owned").run("migrate").exitCode()).isZero();
        database.embedded().createRole("bad_input_stranger", "Str4nger-pass");

        Cli.Result result = packaged(databaseCli("bad_input_owned").with(ConnectionSettings.ENV_USER, "bad_input_stranger")
                .with(ConnectionSettings.ENV_PASSWORD, "Str4nger-pass"), "drop", "--force");

        assertOneLine(result, ExitCodes.FAILURE, "refusing to drop schema bad_input_owned: it belongs to role "
                + database.settings().user() + ", and only its owner may drop it; nothing was dropped");
        assertThat(result.all()).doesNotContain("Dropping");
        assertThat(count("SELECT count(*) FROM pg_namespace WHERE nspname = 'bad_input_owned'")).isEqualTo(1);
    }

    // ------------------------------------------------------------------- the writer role

    @Test
    void migrateAndInfoAsTheWriterRoleSayWhyInOneLine() throws Exception {
        Assumptions.assumeTrue(database.embedded() != null, "creates a role: only on the embedded server");
        Cli owner = databaseCli("bad_input_owned");
        assertThat(owner.run("migrate").exitCode()).isZero();
        Cli.Result roles = owner.run("roles");
        assertThat(roles.exitCode()).as(roles.all()).isZero();
        database.embedded().createRole("bad_input_writer", "Wr1ter-pass", "IN ROLE bad_input_owned_writer");
        Cli writer = databaseCli("bad_input_owned").with(ConnectionSettings.ENV_USER, "bad_input_writer")
                .with(ConnectionSettings.ENV_PASSWORD, "Wr1ter-pass");
        String versions = "SELECT count(*) FROM bad_input_owned.flyway_schema_history";
        long applied = count(versions);

        for (String command : List.of("migrate", "info")) {
            Cli.Result result = packaged(writer, command);
            assertThat(result.exitCode()).as(result.all()).isEqualTo(ExitCodes.FAILURE);
            assertThat(result.err().lines().collect(Collectors.toList())).as(result.all()).hasSize(1);
            assertThat(result.err()).as(result.all()).startsWith("eventstore: permission denied")
                    .contains("run migrate, info and drop as the schema's owner");
        }
        assertThat(count(versions)).isEqualTo(applied);
    }
}
