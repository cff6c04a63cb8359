package dev.eventstore.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventstore.EventStore;
import dev.eventstore.embedded.EmbeddedConnectWorker;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.TestDatabase;
import dev.eventstore.testing.TestKafka;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.Driver;

/**
 * The Kafka Connect deployment as an operator makes it, for the integration tests: a distributed
 * worker configured from {@code config/connect/worker.properties} whose {@code plugin.path} holds the
 * built plugin archive and Debezium's official connector archive, unpacked (by Maven, into
 * {@code target/connect-plugins}); the connector configured from {@code config/connect/*.json}; and
 * an event store in a PostgreSQL database of its own, schema {@code eventstore} as in those files.
 *
 * <p>What the tests change in those files is only what the test environment requires: the worker's
 * Kafka, REST listener, plugin directory and group (so several worker clusters can share the test
 * broker); the connector's name, database host, port and database, replication slot and event topic
 * prefix (so tests never see each other's records). Credentials are not changed: the connector reads
 * {@code ${env:EVENTSTORE_DB_USER}} and {@code ${env:EVENTSTORE_DB_PASSWORD}} through the worker's
 * {@code EnvVarConfigProvider}, exactly as in docker-compose.yml; failsafe sets those two variables
 * in the test JVM's environment (connector/connect/pom.xml), and {@link #database()} creates that role.
 */
final class ConnectDeployment {

    static final String SCHEMA = "eventstore";
    static final String DATABASE = "connect_it";
    static final Duration TIMEOUT = Duration.ofSeconds(90);
    static final String SOURCE_JSON = "config/connect/eventstore-source.json";
    static final String EXACTLY_ONCE_JSON = "config/connect/eventstore-source-exactly-once.json";
    static final String WORKER_PROPERTIES = "config/connect/worker.properties";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static Database database;

    private ConnectDeployment() {
    }

    /** The repository's root directory (failsafe passes it; the module directory is two levels below). */
    static Path repositoryRoot() {
        String root = System.getProperty("eventstore.repository.root");
        return (root != null ? Path.of(root) : Path.of("").toAbsolutePath().resolve("../..")).normalize();
    }

    /** The worker's plugin.path: both archives unpacked by the build. */
    static Path pluginPath() {
        String path = System.getProperty("eventstore.connect.plugin.path");
        Path dir = path != null ? Path.of(path) : Path.of("target/connect-plugins").toAbsolutePath();
        assertThat(dir.resolve("eventstore-connect")).as("built plugin unpacked (mvn package)").isDirectory();
        assertThat(dir.resolve("debezium-connector-postgres")).as("Debezium's archive unpacked (mvn package)").isDirectory();
        return dir;
    }

    /** A unique name for a test's connector, slot and topic prefix. */
    static String uniqueId() {
        return "c" + ProcessHandle.current().pid() + "x" + SEQUENCE.incrementAndGet();
    }

    // ---- Worker

    /**
     * Starts a worker from {@code config/connect/worker.properties}, changed only where the test
     * environment requires it, then by {@code overrides}.
     */
    static EmbeddedConnectWorker startWorker(String groupId, Map<String, String> overrides) {
        Map<String, String> properties = new LinkedHashMap<>();
        Properties file = new Properties();
        try (InputStream in = Files.newInputStream(repositoryRoot().resolve(WORKER_PROPERTIES))) {
            file.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        file.stringPropertyNames().forEach(key -> properties.put(key, file.getProperty(key)));
        assertThat(properties).containsKeys("bootstrap.servers", "listeners", "plugin.path", "group.id",
                "rest.advertised.host.name", "rest.advertised.port");
        properties.put("bootstrap.servers", TestKafka.bootstrapServers());
        properties.put("listeners", "http://127.0.0.1:0");
        properties.put("rest.advertised.host.name", "127.0.0.1");
        properties.remove("rest.advertised.port");
        properties.put("plugin.path", pluginPath().toString());
        properties.put("group.id", groupId);
        properties.put("config.storage.topic", groupId + "-configs");
        properties.put("offset.storage.topic", groupId + "-offsets");
        properties.put("status.storage.topic", groupId + "-status");
        // Faster offset commits than the example's 10 s, so tests of the at-least-once worker need not wait.
        properties.put("offset.flush.interval.ms", "1000");
        properties.putAll(overrides);
        return EmbeddedConnectWorker.start(TestKafka.bootstrapServers(), properties);
    }

    // ---- Connector configuration

    /**
     * The connector configuration of {@code file} (relative to the repository root) with only the
     * test environment's values changed: name, database host, port and name, slot, topic prefix.
     */
    static Map<String, String> connectorConfig(String file, String name, String slot, String topicPrefix) {
        Map<String, String> config;
        try {
            config = JSON.readValue(repositoryRoot().resolve(file).toFile(), new TypeReference<LinkedHashMap<String, String>>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Database db = database();
        replace(config, "name", name);
        replace(config, "database.hostname", db.host());
        replace(config, "database.port", Integer.toString(db.port()));
        replace(config, "database.dbname", db.name());
        replace(config, "slot.name", slot);
        replace(config, "transforms.event.topic.prefix", topicPrefix);
        return config;
    }

    private static void replace(Map<String, String> config, String key, String value) {
        assertThat(config).as("the configuration file sets " + key).containsKey(key);
        config.put(key, value);
    }

    // ---- REST API

    static HttpResponse<String> send(EmbeddedConnectWorker worker, String method, String path, Object body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(worker.restUrl().resolve(path))
                    .timeout(Duration.ofSeconds(60)).header("Accept", "application/json");
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            }
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (HTTP " + response.statusCode() + "): " + response.body(), e);
        }
    }

    /** {@code PUT /connector-plugins/PostgresConnector/config/validate}: the validation result. */
    static JsonNode validate(EmbeddedConnectWorker worker, Map<String, String> config) {
        HttpResponse<String> response = send(worker, "PUT", "/connector-plugins/PostgresConnector/config/validate", config);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    /** The "errors" of every config entry of a validation result that has any, by key. */
    static Map<String, String> validationErrors(JsonNode validation) {
        Map<String, String> errors = new LinkedHashMap<>();
        validation.path("configs").forEach(entry -> {
            JsonNode value = entry.path("value");
            if (!value.path("errors").isEmpty()) {
                errors.put(value.path("name").asText(), value.path("errors").toString());
            }
        });
        return errors;
    }

    /** Validates, then creates (or updates) the connector with {@code PUT /connectors/<name>/config}. */
    static void createConnector(EmbeddedConnectWorker worker, Map<String, String> config) {
        JsonNode validation = validate(worker, config);
        assertThat(validation.path("error_count").asInt()).as("validation errors: " + validationErrors(validation))
                .isZero();
        HttpResponse<String> created = send(worker, "PUT", "/connectors/" + config.get("name") + "/config", config);
        assertThat(created.statusCode()).as(created.body()).isIn(200, 201);
        awaitRunning(worker, config.get("name"));
    }

    /** Waits until the connector and its one task report RUNNING; fails at once on FAILED. */
    static void awaitRunning(EmbeddedConnectWorker worker, String name) {
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            HttpResponse<String> response = send(worker, "GET", "/connectors/" + name + "/status", null);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode status = json(response);
            if (status.path("tasks").path(0).path("state").asText().equals("FAILED")
                    || status.path("connector").path("state").asText().equals("FAILED")) {
                throw new IllegalStateException("connector " + name + " failed: " + status.toPrettyString());
            }
            assertThat(status.path("connector").path("state").asText()).as(status.toString()).isEqualTo("RUNNING");
            assertThat(status.path("tasks").path(0).path("state").asText()).as(status.toString()).isEqualTo("RUNNING");
        });
    }

    /** Deletes the connector, then drops its slot once Debezium has let go of it. */
    static void deleteConnector(EmbeddedConnectWorker worker, String name, String slot) {
        HttpResponse<String> deleted = send(worker, "DELETE", "/connectors/" + name, null);
        assertThat(deleted.statusCode()).as(deleted.body()).isIn(204, 404);
        dropSlot(slot);
    }

    /** Drops a replication slot once no connection holds it (waits for that, bounded). */
    static void dropSlot(String slot) {
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (Connection connection = database().superuser().getConnection();
                 PreparedStatement drop = connection.prepareStatement(
                         "SELECT pg_drop_replication_slot(slot_name), true FROM pg_replication_slots WHERE slot_name = ? AND NOT active")) {
                drop.setString(1, slot);
                drop.executeQuery().close();
            }
            try (Connection connection = database().superuser().getConnection();
                 PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
                exists.setString(1, slot);
                try (ResultSet rs = exists.executeQuery()) {
                    return !rs.next();
                }
            }
        });
    }

    // ---- Database

    /** The event store's database: its own database, schema {@code eventstore}, the connector's role. */
    record Database(String host, int port, String name, DataSource superuser, EventStore store, SchemaManager schema) {
    }

    static synchronized Database database() {
        if (database == null) {
            database = createDatabase();
        }
        return database;
    }

    private static Database createDatabase() {
        TestDatabase test = TestDatabase.get();
        String user = requiredEnv("EVENTSTORE_DB_USER");
        String password = requiredEnv("EVENTSTORE_DB_PASSWORD");
        test.execute("SELECT 1");
        try (Connection connection = test.connect(); Statement statement = connection.createStatement()) {
            try (ResultSet rs = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (!rs.next()) {
                    statement.execute("CREATE DATABASE " + DATABASE);
                }
            }
            try (ResultSet rs = statement.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + user + "'")) {
                if (!rs.next()) {
                    statement.execute("CREATE ROLE " + user + " LOGIN REPLICATION PASSWORD '" + password + "'");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the test database or role: " + e.getMessage(), e);
        }
        Properties url = Driver.parseURL(test.settings().url(), null);
        String host = url.getProperty("PGHOST").split(",")[0];
        int port = Integer.parseInt(url.getProperty("PGPORT").split(",")[0]);
        String jdbcUrl = "jdbc:postgresql://" + host + ":" + port + "/" + DATABASE;
        DataSource superuser = new ConnectionSettings(jdbcUrl, test.settings().user(), test.settings().password()).dataSource();

        SchemaManager schema = new SchemaManager(superuser, SchemaName.of(SCHEMA), MigrationSource.builtIn());
        schema.migrate();
        // What docs/connect.md tells an operator to grant the connector's role (beside REPLICATION).
        try (Connection connection = superuser.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("GRANT CONNECT ON DATABASE " + DATABASE + " TO " + user);
            statement.execute("GRANT USAGE ON SCHEMA " + SCHEMA + " TO " + user);
            statement.execute("GRANT SELECT ON " + SCHEMA + ".events, " + SCHEMA + ".cdc_heartbeat TO " + user);
            statement.execute("GRANT INSERT, UPDATE ON " + SCHEMA + ".cdc_heartbeat TO " + user);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot grant the connector's role: " + e.getMessage(), e);
        }
        EventStore store = EventStore.builder(superuser).schema(SchemaName.of(SCHEMA)).build();
        return new Database(host, port, DATABASE, superuser, store, schema);
    }

    private static String requiredEnv(String name) {
        String value = System.getenv(name);
        assertThat(value).as(name + " in the test JVM's environment (failsafe sets it: connector/connect/pom.xml)")
                .isNotBlank();
        return value;
    }
}
