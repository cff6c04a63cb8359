package dev.eventstore.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventstore.EventData;
import dev.eventstore.EventStore;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.TestDatabase;
import dev.eventstore.testing.TestKafka;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive run as a user runs it, against the real PostgreSQL and Kafka the tests start:
 * unpacked outside the checkout, its bin/eventstore with no Maven on the PATH runs {@code migrate}
 * (from the archive's own migrations/), {@code run} in the background with a configuration file,
 * {@code status} and {@code verify}, while events appended through the library arrive in Kafka;
 * SIGTERM stops {@code run} cleanly.
 */
class DistributionIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String SCHEMA = "distribution_it";
    private static final String SLOT = "distribution_it_" + ProcessHandle.current().pid();
    private static final String PREFIX = "dist." + ProcessHandle.current().pid();

    @TempDir
    Path directory;

    private final TestDatabase database = TestDatabase.get();
    private Process bridge;

    @AfterEach
    void stop() throws Exception {
        if (bridge != null && bridge.isAlive()) {
            bridge.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        database.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
                + SLOT + "' AND NOT active");
    }

    /** The database settings as an operator gives them: the environment, the password never in a file. */
    private Map<String, String> databaseEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("EVENTSTORE_DB_URL", database.settings().url());
        env.put("EVENTSTORE_DB_USER", database.settings().user());
        if (database.settings().password() != null) {
            env.put("EVENTSTORE_DB_PASSWORD", database.settings().password());
        }
        return env;
    }

    @Test
    void migrateRunStatusVerifyFromTheUnpackedArchive() throws Exception {
        Release release = Release.unpack(directory);
        assertThat(release.shell("command -v mvn").exitCode()).as("mvn on the launcher's PATH").isNotZero();
        database.dropSchema(SCHEMA);

        // An operator's own migration beside the released ones: migrate applies the archive's
        // migrations/ directory by default, not only what the jars hold.
        Files.writeString(release.home.resolve("migrations/V99990000000000__operator_table.sql"),
                "CREATE TABLE ${flyway:defaultSchema}.operator_table (id bigint PRIMARY KEY);\n");
        Map<String, String> env = databaseEnvironment();
        env.put("EVENTSTORE_SCHEMA", SCHEMA);
        Release.Result migrate = release.run(env, "migrate");
        assertThat(migrate.exitCode()).as(migrate.all()).isZero();
        assertThat(migrate.out()).contains("Now at version 99990000000000");
        assertThat(tableExists("operator_table")).isTrue();

        Path config = directory.resolve("bridge.properties");
        Files.writeString(config, String.join("\n",
                "db.url=" + database.settings().url(),
                "db.user=" + database.settings().user(),
                "schema=" + SCHEMA,
                "slot.name=" + SLOT,
                "bridge.name=distribution-it",
                "topic.prefix=" + PREFIX,
                "topic.partitions=1",
                "kafka.bootstrap.servers=" + TestKafka.bootstrapServers(),
                "http.port=0",
                "heartbeat.interval.ms=1000",
                ""));
        Map<String, String> runEnv = new HashMap<>();
        if (database.settings().password() != null) {
            runEnv.put("EVENTSTORE_DB_PASSWORD", database.settings().password());
        }

        EventStore store = EventStore.builder(database.dataSource()).schema(SchemaName.of(SCHEMA)).build();
        append(store, "order-1", 1, 10); // before the bridge starts: its snapshot publishes them

        bridge = release.launcher(runEnv, "run", "--config", config.toString()).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread outReader = new Thread(() -> Release.copy(bridge.getInputStream(), out));
        Thread errReader = new Thread(() -> Release.copy(bridge.getErrorStream(), err));
        outReader.start();
        errReader.start();
        await().atMost(TIMEOUT).until(() -> text(out).contains(" publishing ") || !bridge.isAlive());
        assertThat(bridge.isAlive()).as(text(out) + text(err)).isTrue();
        java.util.regex.Matcher health = Pattern.compile("health on http://[^ ]+:(\\d+)/health").matcher(text(out));
        assertThat(health.find()).as(text(out)).isTrue();
        assertThat(text(out)).contains("(slot " + SLOT + ")");
        String port = health.group(1);
        // The container images' health checks, run here against this bridge: the Dockerfile's
        // (bash's /dev/tcp; the port from EVENTSTORE_HTTP_PORT) and docker-compose.yml's.
        await().atMost(TIMEOUT).until(() -> imageHealthCheck(port) == 0);
        assertThat(composeHealthCheck(port)).isZero();

        append(store, "order-1", 11, 20); // while it runs
        append(store, "order-2", 1, 15);
        List<ConsumerRecord<String, byte[]>> records = TestKafka.readToEnd(Pattern.quote(PREFIX) + "\\..*", 35, TIMEOUT);
        assertThat(records).hasSize(35);

        Release.Result status = release.run(runEnv, "status", "--config", config.toString());
        assertThat(status.exitCode()).as(status.all()).isZero();
        assertThat(status.out()).contains(SLOT);

        Release.Result verify = release.run(runEnv, "verify", "--config", config.toString());
        assertThat(verify.exitCode()).as(verify.all()).isZero();
        assertThat(verify.out()).contains("Checked 35 stored events in 2 streams");

        bridge.toHandle().destroy(); // SIGTERM, as a service manager stops it
        assertThat(bridge.waitFor(60, TimeUnit.SECONDS)).as("run stops within 60 s of SIGTERM").isTrue();
        outReader.join(10_000);
        errReader.join(10_000);
        // A graceful stop: the command finished ("Bridge stopped." is printed after the engine and the
        // producer closed). The status is the JVM's for a SIGTERM-initiated exit, 128 + 15, because the
        // command's exit(0) waits behind the running shutdown; not a failure code of the command line
        // (those are 1 and 2).
        assertThat(text(out)).contains("Bridge stopped.");
        assertThat(text(err)).doesNotContain(" ERROR ");
        assertThat(bridge.exitValue()).as(text(out) + text(err)).isEqualTo(128 + 15);
        assertThat(imageHealthCheck(port)).as("health check with no bridge").isNotZero();
    }

    private static int imageHealthCheck(String port) throws Exception {
        List<String> command = Dockerfiles.healthCheckCommand(
                Dockerfiles.parse(Dockerfiles.DOCKER.resolve("eventstore/Dockerfile")));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/bin:/bin");
        builder.environment().put("EVENTSTORE_HTTP_PORT", port);
        return Release.exec(builder, 30).exitCode();
    }

    private static int composeHealthCheck(String port) throws Exception {
        com.fasterxml.jackson.databind.JsonNode test = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(Release.REPOSITORY.resolve("docker-compose.yml")
                .toFile()).path("services").path("bridge").path("healthcheck").path("test");
        List<String> command = new java.util.ArrayList<>();
        test.forEach(word -> command.add(word.asText().replace("/8085", "/" + port).replace("$$", "$")));
        assertThat(command.remove(0)).isEqualTo("CMD");
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/bin:/bin");
        return Release.exec(builder, 30).exitCode();
    }

    private static void append(EventStore store, String stream, long from, long to) {
        for (long v = from; v <= to; v++) {
            store.append(stream, ExpectedVersion.exactly(v - 1), EventData.of("Placed", "{\"v\":" + v + "}"));
        }
    }

    private boolean tableExists(String table) throws Exception {
        try (Connection connection = database.connect();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?")) {
            query.setString(1, SCHEMA);
            query.setString(2, table);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        }
    }

    private static String text(ByteArrayOutputStream buffer) {
        synchronized (buffer) {
            return buffer.toString(StandardCharsets.UTF_8);
        }
    }
}
