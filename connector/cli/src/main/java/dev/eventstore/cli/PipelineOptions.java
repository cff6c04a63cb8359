package dev.eventstore.cli;

import dev.eventstore.bridge.BridgeConfig;
import java.nio.file.Path;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * The options of commands that work on PostgreSQL and Kafka together (status, replay,
 * republish, verify): the bridge's settings file if there is one, the same environment
 * variables, and the usual connection flags, which win.
 */
public class PipelineOptions {

    @Option(names = "--config", paramLabel = "FILE",
            description = "The bridge's settings (as for `run`), for the topic naming, Kafka client and slot settings.")
    Path configFile;

    @Option(names = "--db-url", paramLabel = "URL", description = "JDBC URL of the event store (env: EVENTSTORE_DB_URL).")
    String url;

    @Option(names = "--db-user", paramLabel = "USER", description = "Role to log in as (env: EVENTSTORE_DB_USER).")
    String user;

    @Option(names = "--db-password", paramLabel = "PASSWORD",
            description = "Its password (env: EVENTSTORE_DB_PASSWORD, preferred).")
    String password;

    @Option(names = "--schema", paramLabel = "SCHEMA", description = "Event store schema (env: EVENTSTORE_SCHEMA; default eventstore).")
    String schema;

    @Option(names = "--kafka-bootstrap-servers", paramLabel = "HOST:PORT",
            description = "Kafka brokers (env: EVENTSTORE_KAFKA_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX",
            description = "Prefix of the event topics (env: EVENTSTORE_TOPIC_PREFIX; default eventstore).")
    String topicPrefix;

    /** The settings file, then the environment, then these flags. */
    BridgeConfig bridgeConfig(Environment environment) {
        Properties flags = new Properties();
        put(flags, BridgeConfig.Key.DB_URL, url);
        put(flags, BridgeConfig.Key.DB_USER, user);
        put(flags, BridgeConfig.Key.DB_PASSWORD, password);
        put(flags, BridgeConfig.Key.SCHEMA, schema);
        put(flags, BridgeConfig.Key.KAFKA_BOOTSTRAP_SERVERS, bootstrapServers);
        put(flags, "topic.prefix", topicPrefix);
        return RunCommand.load(configFile, environment, flags);
    }

    private static void put(Properties properties, String key, String value) {
        if (value != null) {
            properties.setProperty(key, value);
        }
    }
}
