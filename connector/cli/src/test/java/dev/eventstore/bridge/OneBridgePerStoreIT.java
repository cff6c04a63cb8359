package dev.eventstore.bridge;

import static dev.eventstore.testing.EventRecordContract.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.cli.Cli;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.TestKafka;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One bridge per store ({@link BridgeLock}): a second bridge of the same schema, whatever its
 * {@code bridge.name} and {@code slot.name}, refuses at once and changes nothing; a bridge that
 * loses its lock's session stops.
 */
class OneBridgePerStoreIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final BridgeTestSupport support = new BridgeTestSupport();
    private final String otherSlot = support.slot + "_b";
    private final List<EventBridge> bridges = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (EventBridge bridge : bridges) {
            bridge.close();
        }
        support.dropSlot();
        try (Connection connection = support.database.connect();
             PreparedStatement drop = connection.prepareStatement(
                     "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active")) {
            drop.setString(1, otherSlot);
            drop.execute();
        }
    }

    private Map<String, Object> settings() {
        return support.config();
    }

    /** The same store (schema, topics), another bridge.name and slot.name. */
    private Map<String, Object> otherBridge() {
        Map<String, Object> other = support.config();
        other.put(BridgeConfig.Key.NAME, "other-" + support.id);
        other.put(BridgeConfig.Key.SLOT_NAME, otherSlot);
        return other;
    }

    private EventBridge started(Map<String, Object> settings) throws Exception {
        EventBridge bridge = EventBridge.start(new BridgeConfig(settings), false);
        bridges.add(bridge);
        bridge.ready().get(60, TimeUnit.SECONDS);
        return bridge;
    }

    private void append(String stream, int count) {
        for (int v = 1; v <= count; v++) {
            support.store.append(stream, ExpectedVersion.exactly(v - 1L), EventData.of("Tick", "{\"v\":" + v + "}"));
        }
    }

    private Cli cli(Map<String, Object> settings) {
        Cli cli = new Cli();
        settings.forEach((key, value) -> cli.with(BridgeConfig.environmentVariable(key), value.toString()));
        cli.with(BridgeConfig.environmentVariable(BridgeConfig.Key.HTTP_PORT), "-1");
        return cli;
    }

    private boolean slotExists(String slot) throws Exception {
        try (Connection connection = support.database.connect();
             PreparedStatement query = connection.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
            query.setString(1, slot);
            try (ResultSet rs = query.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * The keys of the bridge's offsets rows (their values move on with every heartbeat of a running
     * bridge) and its checkpoint's slot and recovery columns, as text.
     */
    private String storedState(String bridgeName) throws Exception {
        StringBuilder state = new StringBuilder();
        try (Connection connection = support.database.connect()) {
            try (PreparedStatement offsets = connection.prepareStatement("SELECT offset_key FROM "
                    + BridgeTestSupport.SCHEMA + ".cdc_offsets WHERE starts_with(offset_key, ?) ORDER BY offset_key")) {
                offsets.setString(1, "[\"" + bridgeName + "\",");
                try (ResultSet rs = offsets.executeQuery()) {
                    while (rs.next()) {
                        state.append("offset ").append(rs.getString(1)).append('\n');
                    }
                }
            }
            try (PreparedStatement checkpoint = connection.prepareStatement("SELECT slot_name, recovery_reason,"
                    + " recovery_from_event_id, recovery_noted_at FROM " + BridgeTestSupport.SCHEMA
                    + ".cdc_checkpoints WHERE bridge_name = ?")) {
                checkpoint.setString(1, bridgeName);
                try (ResultSet rs = checkpoint.executeQuery()) {
                    while (rs.next()) {
                        state.append("checkpoint slot=").append(rs.getString(1)).append(" recovery=").append(rs.getString(2))
                                .append(" from=").append(rs.getString(3)).append(" noted=").append(rs.getString(4)).append('\n');
                    }
                }
            }
        }
        return state.toString();
    }

    /** A running bridge whose offsets (flushed after every batch) and checkpoint row are stored. */
    private EventBridge liveBridgeWithStoredState() throws Exception {
        Map<String, Object> settings = settings();
        settings.put(BridgeConfig.Key.OFFSET_FLUSH_INTERVAL_MS, 0L);
        append("game-live", 20);
        EventBridge live = started(settings);
        TestKafka.readUntil(support.topics(), r -> r.size() >= 20, TIMEOUT);
        String name = (String) settings.get(BridgeConfig.Key.NAME);
        await().atMost(TIMEOUT).until(() -> storedState(name).contains("offset ") && storedState(name).contains("checkpoint slot="));
        await().atMost(TIMEOUT).until(() -> live.health().up()); // the monitor has seen its slot stream
        return live;
    }

    @Test
    void twoBridgesStartedTogetherOnAFreshStoreRunOnceAndPublishEachEventOnce() throws Exception {
        append("game-a", 30);
        append("game-b", 30);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<EventBridge>> starts = new ArrayList<>();
            List<Long> tookMs = new ArrayList<>(List.of(0L, 0L));
            List<Map<String, Object>> configs = List.of(settings(), otherBridge());
            for (int i = 0; i < 2; i++) {
                int index = i;
                Callable<EventBridge> start = () -> {
                    go.await();
                    long started = System.nanoTime();
                    try {
                        return EventBridge.start(new BridgeConfig(configs.get(index)), false);
                    } finally {
                        tookMs.set(index, (System.nanoTime() - started) / 1_000_000);
                    }
                };
                starts.add(threads.submit(start));
            }
            go.countDown();
            List<EventBridge> running = new ArrayList<>();
            List<String> refusals = new ArrayList<>();
            List<Long> refusedMs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                try {
                    EventBridge bridge = starts.get(i).get(120, TimeUnit.SECONDS);
                    bridges.add(bridge);
                    running.add(bridge);
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(BridgeException.class);
                    refusals.add(e.getCause().getMessage());
                    refusedMs.add(tookMs.get(i));
                }
            }
            assertThat(running).as("exactly one runs; refused: %s", refusals).hasSize(1);
            assertThat(refusals).hasSize(1);
            assertThat(refusals.get(0))
                    .startsWith("another bridge of schema " + BridgeTestSupport.SCHEMA + " is running (PostgreSQL backend pid ")
                    .contains("application_name 'eventstore bridge ")
                    .doesNotContain("\n");
            assertThat(refusedMs.get(0)).as("refused at once").isLessThan(5_000);

            running.get(0).ready().get(60, TimeUnit.SECONDS);
            append("game-c", 30); // streamed, after the snapshot
            List<ConsumerRecord<String, byte[]>> records = TestKafka.readUntil(support.topics(),
                    r -> r.stream().map(x -> header(x, "ce_id")).distinct().count() >= 90, TIMEOUT);
            // Everything Kafka holds, once both would have published their snapshots.
            await().atMost(TIMEOUT).until(() -> running.get(0).metrics().publishedCount() >= 90);
            records = TestKafka.readToEnd(support.topics(), 90, TIMEOUT);
            Map<String, Long> perId = records.stream()
                    .collect(Collectors.groupingBy(r -> header(r, "ce_id"), TreeMap::new, Collectors.counting()));
            Map<String, Long> twice = perId.entrySet().stream().filter(e -> e.getValue() > 1)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            assertThat(perId).hasSize(90);
            assertThat(twice).as("events published more than once").isEmpty();
            assertThat(slotExists(support.slot) && slotExists(otherSlot)).as("the refused bridge created no slot").isFalse();
            System.out.printf("LIFECYCLE scenario=two_bridges_together events=%d records=%d duplicated=%d refused_ms=%d%n",
                    perId.size(), records.size(), twice.size(), refusedMs.get(0));
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aSecondBridgeWithTheSameNameAndAnotherSlotRefusesAndTheLiveOneStillRestarts() throws Exception {
        EventBridge live = liveBridgeWithStoredState();
        String name = (String) settings().get(BridgeConfig.Key.NAME);
        String before = storedState(name);

        Map<String, Object> misconfigured = settings();
        misconfigured.put(BridgeConfig.Key.SLOT_NAME, otherSlot);
        long started = System.nanoTime();
        Cli.Result refused = cli(misconfigured).run("run");
        long refusedMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(1);
        assertThat(refused.err()).as(refused.all())
                .startsWith("eventstore: another bridge of schema " + BridgeTestSupport.SCHEMA + " is running (PostgreSQL backend pid ")
                .contains("application_name 'eventstore bridge " + name + "'");
        assertThat(refused.err().lines().count()).as(refused.err()).isEqualTo(1);
        assertThat(slotExists(otherSlot)).as("no slot created").isFalse();
        assertThat(storedState(name)).as("the live bridge's offsets and checkpoint untouched").isEqualTo(before);
        assertThat(live.health().up()).isTrue();

        // The live bridge restarts as it is.
        live.close();
        EventBridge restarted = started(settings());
        assertThat(restarted.terminated()).isNotDone();
        System.out.printf("LIFECYCLE scenario=same_name_other_slot refused_ms=%d slot_created=false checkpoint_changed=false%n",
                refusedMs);
    }

    @Test
    void aSlotNameOtherThanTheOffsetsDescribeIsRefusedWithoutSideEffects() throws Exception {
        EventBridge live = liveBridgeWithStoredState();
        String name = (String) settings().get(BridgeConfig.Key.NAME);
        live.close();
        String before = storedState(name);

        Map<String, Object> misconfigured = settings();
        misconfigured.put(BridgeConfig.Key.SLOT_NAME, otherSlot);
        assertThatThrownBy(() -> bridges.add(EventBridge.start(new BridgeConfig(misconfigured), false)))
                .isInstanceOf(BridgeException.class)
                .hasMessage("bridge " + name + " has offsets in " + BridgeTestSupport.SCHEMA + ".cdc_offsets for replication slot "
                        + support.slot + ", but slot.name is " + otherSlot + ": set slot.name to " + support.slot
                        + " (resuming on another slot could skip events), or start with --reset-offsets to publish every"
                        + " stored event again from slot " + otherSlot);
        assertThat(slotExists(otherSlot)).as("no slot created").isFalse();
        assertThat(storedState(name)).as("offsets and checkpoint untouched").isEqualTo(before);

        started(settings()); // the right slot.name resumes
    }

    @Test
    void resetOffsetsRefusedWhileABridgeRunsDeletesNothing() throws Exception {
        liveBridgeWithStoredState();
        String name = (String) settings().get(BridgeConfig.Key.NAME);
        String before = storedState(name);

        Cli.Result refused = cli(settings()).run("run", "--reset-offsets");

        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(1);
        assertThat(refused.err()).as(refused.all())
                .startsWith("eventstore: another bridge of schema " + BridgeTestSupport.SCHEMA + " is running");
        assertThat(refused.err().lines().count()).isEqualTo(1);
        assertThat(storedState(name)).as("offsets and checkpoint untouched").isEqualTo(before);
    }

    @Test
    void aBridgeWhoseLockSessionEndsTakesTheLockAgainAndRunsOn() throws Exception {
        EventBridge live = started(settings());
        String name = (String) settings().get(BridgeConfig.Key.NAME);
        int before = lockHolderPid();
        terminateLockSession(name);
        long terminated = System.nanoTime();

        await().atMost(TIMEOUT).until(() -> lockHolderPid() > 0 && lockHolderPid() != before);
        long retakenMs = (System.nanoTime() - terminated) / 1_000_000;
        assertThat(live.terminated()).as("the bridge runs on").isNotDone();
        // Still the store's only bridge: a second one refuses.
        assertThatThrownBy(() -> EventBridge.start(new BridgeConfig(settings()), false))
                .isInstanceOf(BridgeException.class).hasMessageStartingWith("another bridge of schema");
        System.out.printf("LIFECYCLE scenario=lock_session_terminated retaken_ms=%d%n", retakenMs);
    }

    @Test
    void aBridgeWhoseLockIsTakenByAnotherSessionMeanwhileStops() throws Exception {
        EventBridge live = started(settings());
        String name = (String) settings().get(BridgeConfig.Key.NAME);
        try (Connection other = support.database.connect();
             PreparedStatement take = other.prepareStatement("SELECT pg_try_advisory_lock((?::bigint << 32) | n.oid::bigint)"
                     + " FROM pg_namespace n WHERE n.nspname = ?")) {
            terminateLockSession(name);
            long terminated = System.nanoTime();
            take.setLong(1, BridgeLock.LOCK_SPACE);
            take.setString(2, BridgeTestSupport.SCHEMA);
            // The terminated backend releases the lock as it exits, a moment after the call returns.
            await().atMost(TIMEOUT).pollInterval(java.time.Duration.ofMillis(10)).until(() -> {
                try (ResultSet rs = take.executeQuery()) {
                    return rs.next() && rs.getBoolean(1);
                }
            });
            assertThatThrownBy(() -> live.terminated().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                    .hasCauseInstanceOf(BridgeException.class)
                    .hasMessageContaining("another session took the lock in between");
            long stoppedMs = (System.nanoTime() - terminated) / 1_000_000;
            assertThat(live.health().up()).isFalse();
            assertThat(live.health().failure()).contains("no longer proves it is the store's only one");
            System.out.printf("LIFECYCLE scenario=lock_taken_meanwhile stopped_ms=%d%n", stoppedMs);
        }
        // The lock is free again once that database session ends: the next bridge starts.
        await().atMost(TIMEOUT).until(() -> !BridgeLockHolder.held(support));
        started(settings());
    }

    private void terminateLockSession(String bridgeName) throws Exception {
        try (Connection connection = support.database.connect();
             PreparedStatement kill = connection.prepareStatement("SELECT pg_terminate_backend(l.pid) FROM pg_locks l"
                     + " JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND a.application_name = ?")) {
            kill.setString(1, "eventstore bridge " + bridgeName);
            try (ResultSet rs = kill.executeQuery()) {
                assertThat(rs.next() && rs.getBoolean(1)).as("the lock's session terminated").isTrue();
            }
        }
    }

    /** The pid of the session holding the store's bridge lock, or 0. */
    private int lockHolderPid() throws Exception {
        try (Connection connection = support.database.connect();
             PreparedStatement query = connection.prepareStatement("SELECT l.pid FROM pg_locks l JOIN pg_namespace n"
                     + " ON l.objid = n.oid WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = ? AND n.nspname = ?")) {
            query.setLong(1, BridgeLock.LOCK_SPACE);
            query.setString(2, BridgeTestSupport.SCHEMA);
            try (ResultSet rs = query.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    /** A logical replication stream on {@code slot} opened by this test: another process holding it. */
    private Connection holdSlot(String slot) throws Exception {
        java.util.Properties props = new java.util.Properties();
        org.postgresql.PGProperty.USER.set(props, support.database.settings().user());
        if (support.database.settings().password() != null) {
            org.postgresql.PGProperty.PASSWORD.set(props, support.database.settings().password());
        }
        org.postgresql.PGProperty.REPLICATION.set(props, "database");
        org.postgresql.PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        org.postgresql.PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        Connection connection = java.sql.DriverManager.getConnection(support.database.settings().url(), props);
        try {
            connection.unwrap(org.postgresql.PGConnection.class).getReplicationAPI().replicationStream().logical()
                    .withSlotName(slot)
                    .withSlotOption("proto_version", 1)
                    .withSlotOption("publication_names", BridgeTestSupport.SCHEMA + "_events")
                    .start();
            return connection;
        } catch (Exception e) {
            connection.close();
            throw e;
        }
    }

    private Integer walsenderPid(String slot) throws Exception {
        try (Connection connection = support.database.connect();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT active_pid FROM pg_replication_slots WHERE slot_name = ? AND active")) {
            query.setString(1, slot);
            try (ResultSet rs = query.executeQuery()) {
                return rs.next() ? rs.getInt(1) : null;
            }
        }
    }

    @Test
    void aBridgeThatLosesTheRaceForItsSlotIsNotReadyAndSaysSo() throws Exception {
        EventBridge live = liveBridgeWithStoredState();
        int bridgePid = walsenderPid(support.slot);
        try (Connection connection = support.database.connect();
             PreparedStatement terminate = connection.prepareStatement("SELECT pg_terminate_backend(?)")) {
            terminate.setInt(1, bridgePid);
            terminate.execute();
        }
        // While Debezium waits to restart its task, another process takes the slot.
        Connection[] holder = new Connection[1];
        await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> (holder[0] = holdSlot(support.slot)) != null);
        long taken = System.nanoTime();
        try {
            assertThat(walsenderPid(support.slot)).isNotNull().isNotEqualTo(bridgePid);
            await().atMost(TIMEOUT).until(() -> !live.health().slotActive());
            assertThat(live.health().up()).as("not ready on a slot another process holds").isFalse();
            long notReadyMs = (System.nanoTime() - taken) / 1_000_000;

            assertThatThrownBy(() -> live.terminated().get(90, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(BridgeException.class)
                    .hasMessageContaining("replication slot " + support.slot + " is in use by another process (PostgreSQL"
                            + " backend pid " + walsenderPid(support.slot))
                    .hasMessageContaining("lost the race for it")
                    .hasMessageNotContaining("republish")
                    .hasMessageNotContaining("dropped");
            long stoppedMs = (System.nanoTime() - taken) / 1_000_000;
            System.out.printf("LIFECYCLE scenario=slot_race_lost not_ready_ms=%d stopped_ms=%d%n", notReadyMs, stoppedMs);
        } finally {
            holder[0].close();
        }
    }

    @Test
    void storesInOtherSchemasTakeOtherLocks() throws Exception {
        try (BridgeLock store = BridgeLock.acquire(support.database.settings(), SchemaName.of(BridgeTestSupport.SCHEMA), "test one");
             BridgeLock other = BridgeLock.acquire(support.database.settings(), SchemaName.of("public"), "test two")) {
            assertThat(store.isHeld()).isTrue();
            assertThat(other.isHeld()).isTrue();
            assertThatThrownBy(() -> BridgeLock.acquire(support.database.settings(), SchemaName.of(BridgeTestSupport.SCHEMA), "test three"))
                    .isInstanceOf(BridgeException.class)
                    .hasMessageContaining("application_name 'test one'");
        }
        // Released on close: taken again at once.
        BridgeLock.acquire(support.database.settings(), SchemaName.of(BridgeTestSupport.SCHEMA), "test four").close();
        assertThatThrownBy(() -> BridgeLock.acquire(support.database.settings(), SchemaName.of("no_such_schema"), "x"))
                .isInstanceOf(BridgeException.class)
                .hasMessage("schema no_such_schema does not exist in this database: run `eventstore migrate` (or set schema)");
    }

    /** Whether any session holds the bridge lock of the test's schema. */
    private static final class BridgeLockHolder {
        static boolean held(BridgeTestSupport support) throws Exception {
            try (Connection connection = support.database.connect();
                 PreparedStatement query = connection.prepareStatement(
                         dev.eventstore.schema.SqlResource.load("bridge_lock_holder"))) {
                query.setString(1, BridgeTestSupport.SCHEMA);
                query.setLong(2, BridgeLock.LOCK_SPACE);
                try (ResultSet rs = query.executeQuery()) {
                    return rs.next();
                }
            }
        }
    }
}
