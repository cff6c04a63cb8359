package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventstore.AppendResult;
import dev.eventstore.AwaitTimeoutException;
import dev.eventstore.EventData;
import dev.eventstore.EventStore;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.SubscriptionPosition;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.MirrorService;
import dev.eventstore.embedded.EmbeddedConnectWorker;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.TestDatabase;
import dev.eventstore.testing.TestKafka;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.Driver;
import org.slf4j.LoggerFactory;

/**
 * {@code eventstore mirror} in the Kafka Connect deployment: a real Connect worker (in this JVM)
 * runs Debezium's PostgreSQL connector with our transform, configured from
 * {@code config/connect/eventstore-source.json}; a consumer group written in Python
 * (confluent_kafka, Debian's python3-confluent-kafka) reads and commits; the packaged command
 * line's {@code mirror}, a child process, records in {@code subscriptions} exactly what the group
 * committed, and {@code status --json} shows it. A second mirror of the store waits (saying so
 * once) while the first writes, and takes over when it stops.
 */
class MirrorCommandIT {

    private static final String PYTHON = "/usr/bin/python3";
    private static final String DATABASE = "mirror_it";
    private static final String SCHEMA = "eventstore";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String id = "m" + ProcessHandle.current().pid() + "x" + System.nanoTime() % 100_000;
    private final String slot = "mirror_it_" + id;
    private final String topicPrefix = "mirror." + id;
    private final String topic = topicPrefix + ".game";
    private final String group = "py-analytics-" + id;
    private final Cli cli = new Cli();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private EmbeddedConnectWorker worker;
    private Cli.Child mirror;
    private MirrorService second;
    private ConnectionSettings database;

    @TempDir
    Path directory;

    @BeforeAll
    static void pythonWithConfluentKafka() throws Exception {
        Process probe = new ProcessBuilder(PYTHON, "-c", "import confluent_kafka").redirectErrorStream(true).start();
        boolean done = probe.waitFor(60, TimeUnit.SECONDS);
        Assumptions.assumeTrue(done && probe.exitValue() == 0,
                "skipped: " + PYTHON + " cannot import confluent_kafka (Debian: apt-get install python3-confluent-kafka)");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (second != null) {
            second.close();
        }
        if (mirror != null && mirror.isAlive()) {
            mirror.kill();
            mirror.finish(30);
        }
        if (worker != null) {
            worker.close();
        }
        ((Logger) LoggerFactory.getLogger("dev.eventstore.outage")).detachAppender(logged);
        if (database != null) {
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
                try (Connection connection = database.dataSource().getConnection();
                     PreparedStatement drop = connection.prepareStatement(
                             "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active")) {
                    drop.setString(1, slot);
                    drop.execute();
                }
                try (Connection connection = database.dataSource().getConnection();
                     PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
                    exists.setString(1, slot);
                    try (ResultSet rs = exists.executeQuery()) {
                        return !rs.next();
                    }
                }
            });
        }
    }

    @Test
    void theMirrorServiceRecordsWhatAPythonGroupCommittedAndASecondMirrorTakesOver() throws Exception {
        EventStore store = storeDatabase();
        AppendResult last = null;
        for (int s = 1; s <= 4; s++) {
            for (int v = 1; v <= 5 * s; v++) {
                last = store.append("game-" + s, ExpectedVersion.exactly(v - 1L), EventData.of("Tick", "{\"v\":" + v + "}"));
            }
        }
        long stored = 5 + 10 + 15 + 20;

        // Kafka Connect publishes, with Debezium's connector and our transform, as the compose file runs it.
        worker = EmbeddedConnectWorker.start(TestKafka.bootstrapServers(), Map.of("group.id", "connect-" + id));
        Map<String, String> connector = connectorConfig();
        HttpResponse<String> created = send("PUT", worker.restUrl().resolve("/connectors/" + connector.get("name") + "/config"),
                JSON.writeValueAsString(connector));
        assertThat(created.statusCode()).as(created.body()).isIn(200, 201);
        TestKafka.readUntil(Pattern.quote(topic), records -> records.size() >= stored, TIMEOUT);

        // A consumer group in another language reads part of the category and commits.
        JsonNode first = python(30);
        assertThat(first.path("read").asLong()).isEqualTo(30);

        // The mirror service, as operators run it: the packaged command line, settings from the environment.
        Map<String, String> environment = mirrorEnvironment();
        environment.forEach(cli::with);
        mirror = cli.start(directory, "mirror");
        await().atMost(TIMEOUT).until(() -> mirror.outSoFar().contains("health on http://") || !mirror.isAlive());
        assertThat(mirror.isAlive()).as(mirror.errSoFar()).isTrue();
        Matcher port = Pattern.compile("health on http://127\\.0\\.0\\.1:(\\d+)/health/ready").matcher(mirror.outSoFar());
        assertThat(port.find()).as(mirror.outSoFar()).isTrue();
        String url = "http://127.0.0.1:" + port.group(1);

        Map<String, Long> committedVersions = versions(first);
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(rows(store)).isEqualTo(committedVersions));
        assertThat(store.subscriptions().positions(group))
                .allSatisfy(p -> assertThat(p.metadata()).contains("\"offset-mirror\"", "\"" + topic + "\""));

        // Read your own writes where Kafka Connect publishes: the mirror service records what the
        // topics hold and what the group committed, and the waits return on them.
        store.awaitPublished(last, TIMEOUT);
        for (Map.Entry<String, Long> consumed : committedVersions.entrySet()) {
            long eventId = store.readStreamForward(consumed.getKey(), consumed.getValue(), 1).get(0).eventId();
            store.awaitConsumed(group, eventId, TIMEOUT);
        }
        AppendResult unconsumed = last;
        assertThatThrownBy(() -> store.awaitConsumed(group, unconsumed, Duration.ofMillis(500)))
                .isInstanceOf(AwaitTimeoutException.class)
                .hasMessageContaining("is not consumed by group " + group + " after 500 ms")
                .hasMessageContaining("; the event is at topic " + topic + ", partition ");
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> get(url + "/health/ready").statusCode() == 200);
        assertThat(get(url + "/health/ready").body()).contains("\"component\":\"mirror\"", "\"kafka\":{\"status\":\"UP\"",
                "\"postgres\":{\"status\":\"UP\"", "\"pass\":{\"status\":\"UP\"");
        assertThat(get(url + "/health/live").statusCode()).isEqualTo(200);
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(get(url + "/metrics").body())
                .contains("eventstore_store_category_events_total{category=\"game\"} " + stored + ".0",
                        "eventstore_mirror_positions_written_total " + committedVersions.size() + ".0",
                        "eventstore_ready{component=\"mirror\"} 1.0", "eventstore_mirror_lock_held 1.0",
                        "hikaricp_connections", "jvm_memory_used_bytes"));

        // status --json: the group's lag from Kafka and its subscription rows, both what it committed.
        Cli.Result status = new Cli().with("EVENTSTORE_DB_URL", environment.get("EVENTSTORE_DB_URL"))
                .with("EVENTSTORE_DB_USER", environment.get("EVENTSTORE_DB_USER"))
                .with("EVENTSTORE_SCHEMA", SCHEMA)
                .with("EVENTSTORE_KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers())
                .with("EVENTSTORE_TOPIC_PREFIX", topicPrefix)
                .run("status", "--json", "--slot", slot);
        assertThat(status.exitCode()).as(status.all()).isZero();
        JsonNode report = JSON.readTree(status.out());
        JsonNode lag = null;
        for (JsonNode entry : report.path("groups")) {
            if (entry.path("group").asText().equals(group) && entry.path("category").asText().equals("game")) {
                lag = entry;
            }
        }
        assertThat(lag).as(status.out()).isNotNull();
        assertThat(lag.path("lagEvents").asLong()).as(status.out()).isEqualTo(stored - 30);
        JsonNode subscription = null;
        for (JsonNode entry : report.path("subscriptions")) {
            if (entry.path("subscriptionId").asText().equals(group)) {
                subscription = entry;
            }
        }
        assertThat(subscription).as(status.out()).isNotNull();
        assertThat(subscription.path("streamsRecorded").asLong()).isEqualTo(committedVersions.size());

        // A second mirror of the store waits while the first writes, and says so once.
        Logger outage = (Logger) LoggerFactory.getLogger("dev.eventstore.outage");
        outage.setLevel(Level.INFO);
        logged.start();
        outage.addAppender(logged);
        Map<String, String> secondEnvironment = new HashMap<>(environment);
        second = MirrorService.start(BridgeConfig.load(new Properties(), secondEnvironment));
        await().atMost(TIMEOUT).until(() -> second.readiness().check("pass").detail().startsWith("standby"));
        // Ready once its first checks of Kafka and PostgreSQL (on a thread of their own) have answered.
        await("a standby mirror is ready").atMost(TIMEOUT).until(() -> second.readiness().up());
        assertThat(second.readiness().check("pass").detail()).startsWith("standby");
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> second.scrape().contains("eventstore_mirror_lock_held 0.0"));
        assertThat(waits()).as("the wait is logged once, not at every pass").hasSize(1);
        assertThat(waits().get(0).getFormattedMessage()).contains("another offset mirror of schema " + SCHEMA + " writes");

        // The first stops (SIGTERM): the second takes the lock and mirrors what the group commits next.
        mirror.terminate();
        Cli.Result stopped = mirror.finish(60);
        assertThat(stopped.exitCode()).as("0, or 143 when the JVM ends by the signal: " + stopped.all()).isIn(0, 143);
        assertThat(stopped.out()).contains("Offset mirror stopped.");
        await().atMost(TIMEOUT).until(() -> second.scrape().contains("eventstore_mirror_lock_held 1.0"));
        assertThat(logged.list).anyMatch(e -> e.getFormattedMessage().startsWith("The offset mirror took the mirror lock"));
        JsonNode next = python((int) (stored - 30));
        Map<String, Long> all = new HashMap<>(committedVersions);
        versions(next).forEach((stream, version) -> all.merge(stream, version, Math::max));
        assertThat(all).isEqualTo(Map.of("game-1", 5L, "game-2", 10L, "game-3", 15L, "game-4", 20L));
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(rows(store)).isEqualTo(all));
        store.awaitConsumed(group, last, TIMEOUT);
        assertThat(waits()).hasSize(1);
        System.out.printf("MIRROR connect+python group=%s committed_first=30 rows_first=%d rows_after_takeover=%d%n", group,
                committedVersions.size(), all.size());
    }

    private java.util.List<ILoggingEvent> waits() {
        return logged.list.stream().filter(e -> e.getFormattedMessage().startsWith("The offset mirror waits")).toList();
    }

    /** The group in Python: reads {@code count} more records and commits them. */
    private JsonNode python(int count) throws Exception {
        Path script = directory.resolve("python_group.py");
        if (!Files.exists(script)) {
            try (InputStream in = MirrorCommandIT.class.getResourceAsStream("python_group.py")) {
                Files.copy(in, script);
            }
        }
        Process process = new ProcessBuilder(PYTHON, script.toString(), TestKafka.bootstrapServers(), group, topic,
                Integer.toString(count)).redirectError(directory.resolve("python.err").toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the Python group finished").isTrue();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(out + Files.readString(directory.resolve("python.err"))).isZero();
        JsonNode result = JSON.readTree(out);
        assertThat(result.path("read").asInt()).as(out).isEqualTo(count);
        return result;
    }

    private static Map<String, Long> versions(JsonNode result) {
        Map<String, Long> versions = new LinkedHashMap<>();
        result.path("versions").fields().forEachRemaining(e -> versions.put(e.getKey(), e.getValue().asLong()));
        return versions;
    }

    private Map<String, Long> rows(EventStore store) {
        return store.subscriptions().positions(group).stream()
                .collect(Collectors.toMap(SubscriptionPosition::streamId, SubscriptionPosition::lastSeenStreamVersion));
    }

    /** The store's own database, migrated, as in the Connect deployment (schema eventstore). */
    private EventStore storeDatabase() throws Exception {
        TestDatabase test = TestDatabase.get();
        try (Connection connection = test.connect(); Statement statement = connection.createStatement()) {
            try (ResultSet rs = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (!rs.next()) {
                    statement.execute("CREATE DATABASE " + DATABASE);
                }
            }
        }
        database = new ConnectionSettings(databaseUrl(), test.settings().user(), test.settings().password());
        SchemaManager schema = new SchemaManager(database.dataSource(), SchemaName.of(SCHEMA), MigrationSource.builtIn());
        schema.migrate();
        schema.reset();
        return EventStore.builder(database.dataSource()).schema(SchemaName.of(SCHEMA)).build();
    }

    private String databaseUrl() {
        Properties url = Driver.parseURL(TestDatabase.get().settings().url(), null);
        return "jdbc:postgresql://" + url.getProperty("PGHOST").split(",")[0] + ":" + url.getProperty("PGPORT").split(",")[0]
                + "/" + DATABASE;
    }

    /** config/connect/eventstore-source.json with only what the test environment needs changed. */
    private Map<String, String> connectorConfig() throws IOException {
        Path root = Path.of("").toAbsolutePath().resolve("../..").normalize();
        Map<String, String> config = JSON.readValue(root.resolve("config/connect/eventstore-source.json").toFile(),
                new TypeReference<LinkedHashMap<String, String>>() {
                });
        Properties url = Driver.parseURL(databaseUrl(), null);
        config.put("name", "eventstore-source-" + id);
        config.put("database.hostname", url.getProperty("PGHOST"));
        config.put("database.port", url.getProperty("PGPORT"));
        config.put("database.dbname", DATABASE);
        config.put("database.user", database.user());
        config.put("database.password", database.password() == null ? "" : database.password());
        config.put("slot.name", slot);
        config.put("transforms.event.topic.prefix", topicPrefix);
        config.put("heartbeat.interval.ms", "1000");
        return config;
    }

    private Map<String, String> mirrorEnvironment() {
        Map<String, String> environment = new HashMap<>();
        environment.put("EVENTSTORE_BRIDGE_NAME", "mirror-" + id);
        environment.put("EVENTSTORE_DB_URL", databaseUrl());
        environment.put("EVENTSTORE_DB_USER", database.user());
        if (database.password() != null) {
            environment.put("EVENTSTORE_DB_PASSWORD", database.password());
        }
        environment.put("EVENTSTORE_SCHEMA", SCHEMA);
        environment.put("EVENTSTORE_KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers());
        environment.put("EVENTSTORE_TOPIC_PREFIX", topicPrefix);
        environment.put("EVENTSTORE_MIRROR_GROUPS", Pattern.quote(group));
        environment.put("EVENTSTORE_MIRROR_INTERVAL_MS", "500");
        environment.put("EVENTSTORE_METRICS_STORE_INTERVAL_MS", "1000");
        environment.put("EVENTSTORE_HTTP_PORT", "0");
        return environment;
    }

    private static HttpResponse<String> send(String method, URI uri, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
