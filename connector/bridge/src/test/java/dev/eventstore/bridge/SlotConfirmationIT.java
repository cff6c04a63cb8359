package dev.eventstore.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bridge confirms to its slot only WAL positions whose offsets it has saved first: otherwise a
 * crash between the confirmation and the next offset flush leaves the slot ahead of the saved
 * offsets, and the restart refuses (a slot ahead looks like another slot). Publishing is pipelined,
 * so records are marked processed while a flush is under way; this samples both positions under a
 * steady load and finds the slot never ahead.
 */
class SlotConfirmationIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BridgeTestSupport support = new BridgeTestSupport();
    private EventBridge bridge;

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
        support.dropSlot();
    }

    @Test
    void theSlotIsNeverConfirmedBeyondTheSavedOffsets() throws Exception {
        Map<String, Object> config = support.config();
        config.put(BridgeConfig.Key.OFFSET_FLUSH_INTERVAL_MS, 200L);
        bridge = EventBridge.start(new BridgeConfig(config), false);
        bridge.ready().get(60, TimeUnit.SECONDS);

        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            int i = 0;
            while (writing.get() && System.nanoTime() < deadline) {
                List<EventData> batch = new ArrayList<>();
                for (int k = 0; k < 20; k++) {
                    batch.add(EventData.of("Tick", "{\"i\":" + i + "}"));
                }
                support.store.append("load-" + (i++ % 50), ExpectedVersion.ANY, batch);
            }
        }, "slot-confirmation-writer");
        writer.start();
        List<String> ahead = new ArrayList<>();
        int samples = 0;
        try (Connection connection = support.database.connect()) {
            while (writer.isAlive() && samples < 2_000) {
                // The slot first, then the offsets: saved offsets only grow, so a slot read earlier
                // that is beyond offsets read later was truly ahead of everything saved then.
                String confirmed = null;
                try (PreparedStatement query = connection.prepareStatement(
                        "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?")) {
                    query.setString(1, support.slot);
                    try (ResultSet rs = query.executeQuery()) {
                        if (rs.next()) {
                            confirmed = rs.getString(1);
                        }
                    }
                }
                String stored = storedPosition(connection);
                if (stored != null && confirmed != null) {
                    samples++;
                    try (PreparedStatement compare = connection.prepareStatement("SELECT ?::pg_lsn > ?::pg_lsn")) {
                        compare.setString(1, confirmed);
                        compare.setString(2, stored);
                        try (ResultSet rs = compare.executeQuery()) {
                            rs.next();
                            if (rs.getBoolean(1)) {
                                ahead.add("slot at " + confirmed + ", offsets saved at " + stored);
                            }
                        }
                    }
                }
                Thread.sleep(5);
            }
        } finally {
            writing.set(false);
            writer.join(30_000);
        }
        assertThat(samples).as("positions sampled under load").isGreaterThan(50);
        assertThat(ahead).as("samples with the slot confirmed beyond the saved offsets, of " + samples).isEmpty();
    }

    /** The position the saved offsets would confirm, as the restart check reads it; null before the first flush. */
    private String storedPosition(Connection connection) throws Exception {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT offset_key, offset_value FROM " + BridgeTestSupport.SCHEMA
                     + ".cdc_offsets")) {
            while (rs.next()) {
                if (rs.getString(1).contains("\"bridge-" + support.id + "\"")) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> offset = JSON.readValue(rs.getString(2), Map.class);
                    Long position = SlotGuardingTask.storedPosition(offset);
                    return position == null ? null : SlotGuardingTask.lsnText(position);
                }
            }
        }
        return null;
    }
}
