package dev.eventstore.bridge;

import dev.eventstore.EventStore;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.TestDatabase;
import dev.eventstore.testing.TestKafka;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the bridge's integration tests share: one migrated schema, reset before each test, and
 * for each test its own bridge name, slot and topic prefix, so no test sees another's records.
 */
final class BridgeTestSupport {

    static final String SCHEMA = "bridge_it";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static boolean migrated;

    final TestDatabase database = TestDatabase.get();
    final String id;
    final String topicPrefix;
    final String slot;
    final EventStore store;

    BridgeTestSupport() {
        synchronized (BridgeTestSupport.class) {
            SchemaManager manager = new SchemaManager(database.dataSource(), SchemaName.of(SCHEMA), MigrationSource.builtIn());
            if (!migrated) {
                database.dropSchema(SCHEMA);
                manager.migrate();
                migrated = true;
            }
            manager.reset();
        }
        id = "b" + ProcessHandle.current().pid() + "x" + SEQUENCE.incrementAndGet();
        topicPrefix = "it." + id;
        slot = "bridge_it_" + id;
        store = EventStore.builder(database.dataSource()).schema(SchemaName.of(SCHEMA)).build();
    }

    /** The bridge settings of this test; override entries as a test needs. */
    Map<String, Object> config() {
        Map<String, Object> config = new HashMap<>();
        config.put(BridgeConfig.Key.NAME, "bridge-" + id);
        config.put(BridgeConfig.Key.DB_URL, database.settings().url());
        config.put(BridgeConfig.Key.DB_USER, database.settings().user());
        config.put(BridgeConfig.Key.SCHEMA, SCHEMA);
        config.put(BridgeConfig.Key.SLOT_NAME, slot);
        config.put(BridgeConfig.Key.KAFKA_BOOTSTRAP_SERVERS, TestKafka.bootstrapServers());
        config.put("topic.prefix", topicPrefix);
        config.put(BridgeConfig.Key.TOPIC_PARTITIONS, 3);
        config.put(BridgeConfig.Key.HTTP_PORT, 0);
        config.put(BridgeConfig.Key.HEARTBEAT_INTERVAL_MS, 1000);
        return config;
    }

    /** The topics of this test, as a consumer subscription pattern. */
    String topics() {
        return java.util.regex.Pattern.quote(topicPrefix) + "\\..*";
    }

    /** Drops the test's slot once no bridge holds it. */
    void dropSlot() {
        try (Connection connection = database.connect();
             PreparedStatement drop = connection.prepareStatement(
                     "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active")) {
            drop.setString(1, slot);
            drop.execute();
        } catch (Exception e) {
            throw new IllegalStateException("cannot drop slot " + slot + ": " + e.getMessage(), e);
        }
    }
}
