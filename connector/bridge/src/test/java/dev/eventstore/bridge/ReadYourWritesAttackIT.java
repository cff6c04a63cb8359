package dev.eventstore.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.AppendResult;
import dev.eventstore.AwaitTimeoutException;
import dev.eventstore.EventData;
import dev.eventstore.EventStore;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * awaitPublished against the embedded bridge and a real Kafka, attacked: a wait must not return
 * for an event that is not in its topic (dead-lettered, or in a topic deleted since), nor because
 * another store's bridge published the same stream id.
 */
class ReadYourWritesAttackIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final BridgeTestSupport support = new BridgeTestSupport();
    private EventBridge bridge;
    private EventBridge otherBridge;

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
        if (otherBridge != null) {
            otherBridge.close();
        }
        support.dropSlot();
    }

    private Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()));
    }

    @Test
    void anotherStoresBridgeOnTheSameTopicsDoesNotEndAWait() throws Exception {
        // A second store, in a schema of its own, whose bridge publishes to the same topics.
        String otherSchema = BridgeTestSupport.SCHEMA + "_other";
        SchemaManager manager = new SchemaManager(support.database.dataSource(), SchemaName.of(otherSchema),
                MigrationSource.builtIn());
        support.database.dropSchema(otherSchema);
        manager.migrate();
        EventStore other = EventStore.builder(support.database.dataSource()).schema(SchemaName.of(otherSchema)).build();
        Map<String, Object> otherConfig = support.config();
        otherConfig.put(BridgeConfig.Key.NAME, "bridge-" + support.id + "-other");
        otherConfig.put(BridgeConfig.Key.SCHEMA, otherSchema);
        otherConfig.put(BridgeConfig.Key.SLOT_NAME, support.slot + "_other");
        try {
            otherBridge = EventBridge.start(new BridgeConfig(otherConfig), false);
            otherBridge.ready().get(60, TimeUnit.SECONDS);
            AppendResult theirs = other.append("game-1", ExpectedVersion.NO_STREAM,
                    EventData.of("GameStarted", "{}"), EventData.of("GameEnded", "{}"));
            other.awaitPublished(theirs, TIMEOUT);

            // This store's game-1, with no bridge of its own running: not in Kafka.
            AppendResult ours = support.store.append("game-1", ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"));
            assertThatThrownBy(() -> support.store.awaitPublished(ours, Duration.ofSeconds(2)))
                    .isInstanceOf(AwaitTimeoutException.class)
                    .hasMessageContaining("no event of the stream is known to be");
        } finally {
            if (otherBridge != null) {
                otherBridge.close();
                otherBridge = null;
            }
            support.database.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                    + " WHERE slot_name = '" + support.slot + "_other' AND NOT active");
            other.close();
            support.database.dropSchema(otherSchema);
        }
    }

    /**
     * As documented: a parked event is on the dead-letter topic, not its own, so a wait for it runs
     * out of time until a later event of its stream is published; then it returns.
     */
    @Test
    void aDeadLetteredEventCountsOnlyOnceALaterEventOfItsStreamIsPublished() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(Set.of(new NewTopic(support.topicPrefix + ".big", 1, (short) 1)
                    .configs(Map.of("max.message.bytes", "2048")))).all().get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> config = support.config();
        config.put(BridgeConfig.Key.ERRORS_POLICY, "dead-letter");
        bridge = EventBridge.start(new BridgeConfig(config), false);
        bridge.ready().get(60, TimeUnit.SECONDS);

        AppendResult tooLarge = support.store.append("big-1", ExpectedVersion.NO_STREAM,
                EventData.of("Snapshot", "{\"blob\":\"" + "x".repeat(10_000) + "\"}"));
        TestKafka.readUntil(java.util.regex.Pattern.quote(support.topicPrefix + ".dead-letter"), r -> !r.isEmpty(), TIMEOUT);
        assertThatThrownBy(() -> support.store.awaitPublished(tooLarge, Duration.ofSeconds(2)))
                .isInstanceOf(AwaitTimeoutException.class)
                .hasMessageContaining("no event of the stream is known to be");

        AppendResult small = support.store.append("big-1", ExpectedVersion.exactly(1), EventData.of("Noted", "{}"));
        support.store.awaitPublished(small, TIMEOUT);
        support.store.awaitPublished(tooLarge, Duration.ofSeconds(5));
    }
}
