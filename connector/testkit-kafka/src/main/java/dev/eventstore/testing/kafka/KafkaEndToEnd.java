package dev.eventstore.testing.kafka;

import dev.eventstore.EventStoreConfig;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.embedded.EmbeddedKafkaBroker;
import dev.eventstore.testing.EndToEndMode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end-to-end mode of {@code EventStoreExtension} (found through {@link java.util.ServiceLoader}):
 * one embedded Kafka broker per test JVM, started on first use and stopped when the JVM exits, and
 * for each test class a bridge of its own (its own replication slot and topic prefix) from the
 * class's schema to that broker. Tests get a {@link KafkaEvents}.
 */
public final class KafkaEndToEnd implements EndToEndMode {

    /** How long the bridge may take to start (its first snapshot of an empty store included). */
    static final long START_TIMEOUT_SECONDS = 120;

    private static final Logger log = LoggerFactory.getLogger(KafkaEndToEnd.class);
    private static EmbeddedKafkaBroker broker;

    /** The broker of this JVM, started on first use. */
    static synchronized EmbeddedKafkaBroker broker() {
        if (broker == null) {
            EmbeddedKafkaBroker started = EmbeddedKafkaBroker.start(Map.of("message.max.bytes", "2097152"));
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "eventstore-test-kafka-stop"));
            broker = started;
        }
        return broker;
    }

    @Override
    public List<Class<?>> injectableTypes() {
        return List.of(KafkaEvents.class);
    }

    @Override
    public Session start(EventStoreConfig config, String name) {
        String bootstrap = broker().bootstrapServers();
        String topicPrefix = "test." + name;
        String slot = "kit_" + name;
        Map<String, Object> settings = new HashMap<>();
        settings.put(BridgeConfig.Key.NAME, "test-" + name.replace('_', '-'));
        settings.put(BridgeConfig.Key.DB_URL, config.url());
        if (config.user() != null) {
            settings.put(BridgeConfig.Key.DB_USER, config.user());
        }
        if (config.password() != null) {
            settings.put(BridgeConfig.Key.DB_PASSWORD, config.password());
        }
        settings.put(BridgeConfig.Key.SCHEMA, config.schema().value());
        settings.put(BridgeConfig.Key.SLOT_NAME, slot);
        settings.put(BridgeConfig.Key.KAFKA_BOOTSTRAP_SERVERS, bootstrap);
        settings.put("topic.prefix", topicPrefix);
        settings.put(BridgeConfig.Key.TOPIC_PARTITIONS, 1);
        settings.put(BridgeConfig.Key.HTTP_PORT, 0);
        settings.put(BridgeConfig.Key.HEARTBEAT_INTERVAL_MS, 1000);
        long started = System.nanoTime();
        EventBridge bridge = EventBridge.start(new BridgeConfig(settings), true);
        try {
            bridge.ready().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            bridge.close();
            throw new IllegalStateException("interrupted while the test's bridge started", e);
        } catch (ExecutionException | TimeoutException e) {
            bridge.close();
            dropSlot(config, slot);
            String why = e instanceof TimeoutException ? "not ready after " + START_TIMEOUT_SECONDS + " s"
                    : String.valueOf(e.getCause().getMessage());
            throw new IllegalStateException("the test's bridge did not start: " + why, e);
        }
        log.info("Test kit: bridge of schema {} to Kafka {} (topics {}.*) ready in {} ms", config.schema().value(),
                bootstrap, topicPrefix, (System.nanoTime() - started) / 1_000_000);
        KafkaEvents events = new KafkaEvents(bootstrap, topicPrefix, config);
        return new Session() {
            @Override
            public Object injectable(Class<?> type) {
                return events;
            }

            @Override
            public void beforeEach() {
                events.markTestStart();
            }

            @Override
            public void close() {
                try {
                    bridge.close();
                } finally {
                    dropSlot(config, slot);
                }
            }
        };
    }

    /** Drops the class's replication slot once its bridge has let go of it: it would hold WAL back. */
    private static void dropSlot(EventStoreConfig config, String slot) {
        try (Connection connection = DriverManager.getConnection(config.url(), config.user(), config.password());
             PreparedStatement drop = connection.prepareStatement(
                     "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active")) {
            drop.setString(1, slot);
            drop.execute();
        } catch (SQLException e) {
            log.warn("Test kit: replication slot {} not dropped: {}", slot, e.getMessage());
        }
    }
}
