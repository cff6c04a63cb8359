package dev.eventstore.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.testing.TestKafka;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The bridge refuses to carry on silently when its slot can no longer give it every event. */
class SlotSafetyIT {

    private final BridgeTestSupport support = new BridgeTestSupport();

    @AfterEach
    void dropSlot() {
        support.dropSlot();
    }

    private BridgeConfig config() {
        return new BridgeConfig(support.config());
    }

    @Test
    void invalidatedSlotStopsTheBridgeWithAdvice() throws Exception {
        Assumptions.assumeTrue(support.database.embedded() != null, "invalidates a slot: only on the embedded server");
        try (Connection connection = support.database.connect(); Statement sql = connection.createStatement()) {
            sql.execute("SELECT pg_create_logical_replication_slot('" + support.slot + "', 'pgoutput')");
            sql.execute("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'");
            sql.execute("SELECT pg_reload_conf()");
            try {
                // Write and recycle WAL past the slot's allowance until PostgreSQL invalidates it.
                for (int round = 0; round < 10 && !"lost".equals(walStatus(sql)); round++) {
                    sql.execute("CREATE TEMP TABLE IF NOT EXISTS wal_filler (payload text)");
                    sql.execute("INSERT INTO wal_filler SELECT repeat('x', 1000) FROM generate_series(1, 20000)");
                    sql.execute("SELECT pg_switch_wal()");
                    sql.execute("CHECKPOINT");
                }
                assertThat(walStatus(sql)).as("slot invalidated for the test").isEqualTo("lost");
            } finally {
                sql.execute("ALTER SYSTEM RESET max_slot_wal_keep_size");
                sql.execute("SELECT pg_reload_conf()");
            }
        }
        assertThatThrownBy(() -> EventBridge.start(config(), false))
                .isInstanceOf(BridgeException.class)
                .hasMessageStartingWith("replication slot " + support.slot + " has been invalidated by PostgreSQL")
                .hasMessageContaining("--reset-offsets");
    }

    private String walStatus(Statement sql) throws Exception {
        try (ResultSet rs = sql.executeQuery("SELECT wal_status FROM pg_replication_slots WHERE slot_name = '" + support.slot + "'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void storedOffsetsWithoutTheirSlotAreRefusedThenResetRepublishes() throws Exception {
        support.store.append("game-1", ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"));
        EventBridge bridge = EventBridge.start(config(), false);
        bridge.ready().get(60, TimeUnit.SECONDS);
        TestKafka.readUntil(support.topics(), r -> r.size() >= 1, Duration.ofSeconds(60));
        bridge.close();
        support.dropSlot(); // as after a restore into a new server, or an operator's mistake

        assertThatThrownBy(() -> EventBridge.start(config(), false))
                .isInstanceOf(BridgeException.class)
                .hasMessageContaining("has offsets in bridge_it.cdc_offsets but its replication slot " + support.slot
                        + " does not exist")
                .hasMessageContaining("--reset-offsets");

        EventBridge reset = EventBridge.start(config(), true);
        try {
            reset.ready().get(60, TimeUnit.SECONDS);
            // The new slot's snapshot publishes the stored event again.
            TestKafka.readUntil(support.topics(), r -> r.size() >= 2, Duration.ofSeconds(60));
        } finally {
            reset.close();
        }
    }

    @Test
    void slotInUseByAnotherBridgeIsRefused() throws Exception {
        EventBridge first = EventBridge.start(config(), false);
        try {
            first.ready().get(60, TimeUnit.SECONDS);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> first.health().slotActive());
            Map<String, Object> other = support.config();
            other.put(BridgeConfig.Key.NAME, "another-bridge");
            assertThatThrownBy(() -> EventBridge.start(new BridgeConfig(other), false))
                    .isInstanceOf(BridgeException.class)
                    .hasMessageStartingWith("another bridge of schema " + BridgeTestSupport.SCHEMA + " is running");
        } finally {
            first.close();
        }
    }
}
