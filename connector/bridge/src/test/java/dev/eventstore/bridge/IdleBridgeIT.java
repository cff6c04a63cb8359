package dev.eventstore.bridge;

import static dev.eventstore.testing.EventRecordContract.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.testing.TestKafka;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An idle bridge: its polling thread parked on an empty queue and its capture reading the stream
 * at the idle pace (SlotGuardingTask, WakingQueue, PacedReplicationStream). Changes after a quiet
 * spell arrive whole and in order, and a capture that fails while idle still restarts.
 */
class IdleBridgeIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Longer than the second after which the bridge counts as idle. */
    private static final long QUIET_MS = SlotGuardingTask.IDLE_AFTER_MS + 500;

    private final BridgeTestSupport support = new BridgeTestSupport();
    private EventBridge bridge;

    @AfterEach
    void stopBridge() {
        if (bridge != null) {
            bridge.close();
        }
        support.dropSlot();
    }

    private void startBridge() throws Exception {
        Map<String, Object> config = support.config();
        config.put(BridgeConfig.Key.HEARTBEAT_INTERVAL_MS, 0); // nothing but the test's changes in the WAL
        bridge = EventBridge.start(new BridgeConfig(config), false);
        bridge.ready().get(60, TimeUnit.SECONDS);
    }

    private void appendBatch(String stream, long from, int count) {
        List<EventData> events = new ArrayList<>();
        for (long v = from; v < from + count; v++) {
            events.add(EventData.of("Tick", "{\"v\":" + v + "}"));
        }
        support.store.append(stream, ExpectedVersion.exactly(from - 1), events);
    }

    private List<Long> versions(int atLeast) {
        List<ConsumerRecord<String, byte[]>> records = TestKafka.readUntil(support.topics(), r -> r.size() >= atLeast, TIMEOUT);
        return records.stream().map(r -> Long.parseLong(header(r, "ce_streamversion"))).toList();
    }

    @Test
    void batchesAppendedAfterQuietSpellsArriveWholeAndInOrder() throws Exception {
        startBridge();
        int batches = 4;
        int size = 25;
        for (int b = 0; b < batches; b++) {
            Thread.sleep(QUIET_MS); // the quiet spell under test: the bridge goes idle
            appendBatch("game-idle", 1L + (long) b * size, size);
            int expected = (b + 1) * size;
            assertThat(versions(expected)).as("after quiet spell %d", b + 1)
                    .isEqualTo(java.util.stream.LongStream.rangeClosed(1, expected).boxed().toList());
        }
        // Nothing more, nothing twice.
        assertThat(TestKafka.readToEnd(support.topics(), batches * size, TIMEOUT)).hasSize(batches * size);
    }

    @Test
    void aCaptureThatFailsWhileIdleRestartsAndPublishesWhatFollows() throws Exception {
        startBridge();
        appendBatch("game-fail", 1, 1);
        assertThat(versions(1)).containsExactly(1L);
        Thread.sleep(QUIET_MS); // the quiet spell under test: the bridge goes idle
        int killed = walsenderPid();
        support.database.execute("SELECT pg_terminate_backend(" + killed + ", 10000)");
        // Debezium's capture fails on the closed connection and its task restarts on a new one.
        Awaitility.await().atMost(TIMEOUT).until(() -> {
            Integer pid = activePid();
            return pid != null && pid != killed;
        });
        appendBatch("game-fail", 2, 3);
        assertThat(versions(4)).containsExactly(1L, 2L, 3L, 4L);
    }

    private int walsenderPid() throws Exception {
        Awaitility.await().atMost(TIMEOUT).until(() -> activePid() != null);
        return activePid();
    }

    private Integer activePid() throws Exception {
        try (Connection connection = support.database.connect();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT active_pid FROM pg_replication_slots WHERE slot_name = ? AND active")) {
            query.setString(1, support.slot);
            try (ResultSet rs = query.executeQuery()) {
                return rs.next() ? (Integer) rs.getObject(1) : null;
            }
        }
    }
}
