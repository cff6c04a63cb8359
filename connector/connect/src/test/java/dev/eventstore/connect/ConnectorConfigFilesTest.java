package dev.eventstore.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Connect deployment's configuration files under {@code config/connect/} say what the design
 * says, and agree with each other and with the migrations' names. Files only: no server.
 */
class ConnectorConfigFilesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("").toAbsolutePath().resolve("../..").normalize();

    static Map<String, String> connector(String file) throws IOException {
        return JSON.readValue(ROOT.resolve(file).toFile(), new TypeReference<LinkedHashMap<String, String>>() {
        });
    }

    static Properties worker() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(ROOT.resolve("config/connect/worker.properties"))) {
            properties.load(in);
        }
        return properties;
    }

    @Test
    void exactlyOnceFileIsTheSourceFilePlusTheExactlyOnceSettings() throws IOException {
        Map<String, String> source = connector("config/connect/eventstore-source.json");
        Map<String, String> exactlyOnce = connector("config/connect/eventstore-source-exactly-once.json");
        Map<String, String> expected = new HashMap<>(source);
        expected.put("exactly.once.support", "required");
        expected.put("transaction.boundary", "poll");
        assertThat(exactlyOnce).isEqualTo(expected);
        assertThat(source).doesNotContainKeys("exactly.once.support", "transaction.boundary");
    }

    @Test
    void credentialsComeFromTheWorkersEnvironmentNeverFromTheFile() throws IOException {
        for (String file : new String[] {"config/connect/eventstore-source.json", "config/connect/eventstore-source-exactly-once.json"}) {
            Map<String, String> config = connector(file);
            assertThat(config).containsEntry("database.user", "${env:EVENTSTORE_DB_USER}")
                    .containsEntry("database.password", "${env:EVENTSTORE_DB_PASSWORD}");
            config.forEach((key, value) -> {
                if (key.contains("password") || key.contains("secret") || key.endsWith(".user")) {
                    assertThat(value).as(file + " " + key).matches("\\$\\{env:EVENTSTORE_[A-Z_]+}");
                }
            });
        }
        Properties worker = worker();
        assertThat(worker.getProperty("config.providers")).isEqualTo("env");
        assertThat(worker.getProperty("config.providers.env.class"))
                .isEqualTo(org.apache.kafka.common.config.provider.EnvVarConfigProvider.class.getName());
        assertThat(Pattern.matches(worker.getProperty("config.providers.env.param.allowlist.pattern"), "EVENTSTORE_DB_PASSWORD"))
                .isTrue();
    }

    @Test
    void debeziumReadsTheMigrationsPublicationWithPgoutputAndOrdersTheSnapshotByStream() throws IOException {
        Map<String, String> config = connector("config/connect/eventstore-source.json");
        String schema = config.get("transforms.event.events.schema");
        assertThat(schema).isEqualTo("eventstore");
        assertThat(config)
                .containsEntry("connector.class", "io.debezium.connector.postgresql.PostgresConnector")
                .containsEntry("tasks.max", "1")
                .containsEntry("plugin.name", "pgoutput")
                // The migration V..2 creates <schema>_events FOR TABLE events, cdc_heartbeat.
                .containsEntry("publication.name", schema + "_events")
                .containsEntry("publication.autocreate.mode", "disabled")
                .containsEntry("table.include.list", schema + "\\.events," + schema + "\\.cdc_heartbeat")
                .containsEntry("snapshot.mode", "initial")
                .containsEntry("snapshot.select.statement.overrides", schema + ".events")
                .containsEntry("snapshot.select.statement.overrides." + schema + ".events",
                        "SELECT * FROM " + schema + ".events ORDER BY stream_id, stream_version")
                .containsEntry("slot.drop.on.stop", "false")
                .containsEntry("tombstones.on.delete", "false")
                .containsEntry("key.converter", "org.apache.kafka.connect.storage.StringConverter")
                .containsEntry("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        assertThat(config.get("heartbeat.action.query")).startsWith("INSERT INTO " + schema + ".cdc_heartbeat ");
        assertThat(Integer.parseInt(config.get("heartbeat.interval.ms"))).isPositive();
        // Not the bridge's default slot (<schema>_cdc): both deployments never share a slot.
        assertThat(config.get("slot.name")).isNotEqualTo(schema + "_cdc");
    }

    @Test
    void eventTopicsKeepEveryEvent() throws IOException {
        Map<String, String> config = connector("config/connect/eventstore-source.json");
        assertThat(config)
                .containsEntry("topic.creation.default.cleanup.policy", "delete")
                .containsEntry("topic.creation.default.retention.ms", "-1")
                .containsKeys("topic.creation.default.partitions", "topic.creation.default.replication.factor");
        assertThat(worker().getProperty("topic.creation.enable")).isEqualTo("true");
    }

    @Test
    void transformSettingsAreValidForTheTransformsConfigDef() throws IOException {
        Map<String, String> config = connector("config/connect/eventstore-source.json");
        assertThat(config.get("transforms")).isEqualTo("event,dropOtherTables");
        assertThat(config.get("transforms.event.type")).isEqualTo(EventRecordTransform.class.getName());
        Map<String, String> transform = new HashMap<>();
        config.forEach((key, value) -> {
            if (key.startsWith("transforms.event.") && !key.equals("transforms.event.type")) {
                transform.put(key.substring("transforms.event.".length()), value);
            }
        });
        assertThat(EventRecordTransform.CONFIG_DEF.names()).containsAll(transform.keySet());
        EventRecordTransformConfig parsed = new EventRecordTransformConfig(transform);
        assertThat(parsed.topicMode()).isEqualTo(EventRecordTransformConfig.TopicMode.CATEGORY);
    }

    @Test
    void changeRecordsOfOtherTablesAreFilteredOutAndHeartbeatsKept() throws IOException {
        Map<String, String> config = connector("config/connect/eventstore-source.json");
        assertThat(config).containsEntry("transforms.dropOtherTables.type", "org.apache.kafka.connect.transforms.Filter")
                .containsEntry("transforms.dropOtherTables.predicate", "onDebeziumTableTopic")
                .containsEntry("predicates.onDebeziumTableTopic.type",
                        "org.apache.kafka.connect.transforms.predicates.TopicNameMatches");
        Pattern debeziumTopics = Pattern.compile(config.get("predicates.onDebeziumTableTopic.pattern"));
        String debezium = config.get("topic.prefix");
        String events = config.get("transforms.event.topic.prefix");
        assertThat(debeziumTopics.matcher(debezium + ".eventstore.cdc_heartbeat").matches()).isTrue();
        assertThat(debeziumTopics.matcher(debezium + ".eventstore.events").matches()).isTrue();
        // Debezium's heartbeat records are written: at least once, Connect commits no offset of a record a
        // transform drops, so only a written heartbeat moves the offsets (and the slot) on while no event
        // is appended. They go to a compacted topic of their own.
        assertThat(debeziumTopics.matcher("__debezium-heartbeat." + debezium).matches()).isFalse();
        assertThat(config).containsEntry("topic.creation.groups", "heartbeat")
                .containsEntry("topic.creation.heartbeat.cleanup.policy", "compact")
                .containsEntry("topic.creation.heartbeat.partitions", "1");
        assertThat(Pattern.matches(config.get("topic.creation.heartbeat.include"), "__debezium-heartbeat." + debezium)).isTrue();
        assertThat(Pattern.matches(config.get("topic.creation.heartbeat.include"), events + ".game")).isFalse();
        for (String category : new String[] {"game", "player", "eventstore_cdc", "lobby"}) {
            assertThat(debeziumTopics.matcher(events + "." + category).matches()).as(category).isFalse();
        }
    }

    @Test
    void workerFindsPluginsByTheirManifestsAndAllowsExactlyOnce() throws IOException {
        Properties worker = worker();
        assertThat(worker.getProperty("plugin.discovery")).isEqualTo("service_load");
        assertThat(worker.getProperty("plugin.path")).isNotBlank();
        assertThat(worker.getProperty("exactly.once.source.support")).isEqualTo("enabled");
        assertThat(worker.getProperty("group.id")).isNotBlank();
    }
}
