package dev.eventstore.devtools;

import dev.eventstore.cli.Cli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `eventstore dev` as a user runs it: a child process, stopped with SIGTERM as Ctrl-C would. */
class DevCommandIT {

    @Test
    void startsMigratedPostgresWritesInfoFileAndStopsOnSigterm(@TempDir Path directory) throws Exception {
        Path infoFile = directory.resolve("dev.properties");
        Cli.Child dev = new Cli().start(directory, "dev", "--info-file", infoFile.toString(), "--duration", "PT5M",
                "--rate", "50", "--topic-prefix", "devit");
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> Files.exists(infoFile) || !dev.isAlive());
            assertThat(dev.isAlive()).as("dev exited early").isTrue();

            Properties info = new Properties();
            try (Reader reader = Files.newBufferedReader(infoFile)) {
                info.load(reader);
            }
            String url = info.getProperty("db.url");
            assertThat(url).startsWith("jdbc:postgresql://127.0.0.1:").endsWith("/eventstore");
            SchemaManager manager = new SchemaManager(
                    new ConnectionSettings(url, info.getProperty("db.user"), null).dataSource(),
                    SchemaName.of(info.getProperty("schema")), MigrationSource.builtIn());
            assertThat(manager.installed()).isTrue();
            manager.validate();

            // The simulation's events reach Kafka through the bridge.
            assertThat(info.getProperty("topic.prefix")).isEqualTo("devit");
            Properties consumer = new Properties();
            consumer.put("bootstrap.servers", info.getProperty("kafka.bootstrap.servers"));
            consumer.put("group.id", "dev-command-it");
            consumer.put("auto.offset.reset", "earliest");
            try (var kafka = new org.apache.kafka.clients.consumer.KafkaConsumer<>(consumer,
                    new org.apache.kafka.common.serialization.StringDeserializer(),
                    new org.apache.kafka.common.serialization.StringDeserializer())) {
                kafka.subscribe(java.util.List.of("devit.game"));
                java.util.List<String> keys = new java.util.ArrayList<>();
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    kafka.poll(Duration.ofMillis(200)).forEach(r -> keys.add(r.key()));
                    return keys.size() >= 20;
                });
                assertThat(keys).allMatch(k -> k.startsWith("game-"));
            }
            // The demo consumer group keeps its read model and its positions in PostgreSQL.
            try (Connection connection = DriverManager.getConnection(url, info.getProperty("db.user"), "")) {
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    try (var rs = connection.createStatement().executeQuery(
                            "SELECT (SELECT count(*) FROM demo.leaderboard), (SELECT count(*) FROM "
                                    + info.getProperty("schema") + ".subscriptions WHERE subscription_id = 'leaderboard')")) {
                        rs.next();
                        return rs.getLong(1) > 0 && rs.getLong(2) > 0;
                    }
                });
            }
            Cli status = new Cli().with("EVENTSTORE_DB_URL", url).with("EVENTSTORE_DB_USER", info.getProperty("db.user"))
                    .with("EVENTSTORE_KAFKA_BOOTSTRAP_SERVERS", info.getProperty("kafka.bootstrap.servers"))
                    .with("EVENTSTORE_TOPIC_PREFIX", "devit");
            Cli.Result shown = status.run("status");
            assertThat(shown.exitCode()).as(shown.all()).isZero();
            assertThat(shown.out()).contains("slot eventstore_cdc: active").containsPattern("leaderboard\\s+game");

            String health = info.getProperty("health.url");
            var response = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(health)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.body()).contains("\"engine\":{\"status\":\"UP\"");

            dev.terminate();
            Cli.Result result = dev.finish(60);
            assertThat(result.out()).as(result.all()).contains("Event store ready", url, "Stopping ...", "Stopped.");
            List<String> outLines = result.out().lines().filter(line -> !line.isBlank()).toList();
            assertThat(outLines.get(outLines.size() - 1)).as(result.all()).isEqualTo("Stopped.");
            // A clean stop: no stack trace, no interrupted pass, no server shutting down under a client.
            assertThat(result.err()).as(result.all())
                    .doesNotContain("InterruptedException", "FATAL", "\tat ", "Exception in thread");
            // PostgreSQL went with it.
            assertThat(canConnect(url, info.getProperty("db.user"))).isFalse();
        } finally {
            dev.kill();
        }
    }

    private static boolean canConnect(String url, String user) {
        try (Connection ignored = DriverManager.getConnection(url + "?connectTimeout=2", user, "")) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
