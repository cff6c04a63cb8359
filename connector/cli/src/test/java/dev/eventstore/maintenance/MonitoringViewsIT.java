package dev.eventstore.maintenance;

import dev.eventstore.bridge.StoreViews;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each monitoring view (migrations/R__2_view_<name>.sql) against a known data set, written with explicit
 * timestamps relative to the database's current hour H (UTC):
 * <pre>
 *   stream     created   events (created_at)                       soft-deleted
 *   game-1     H-1h      v1-2 at H-1h, v3-5 at H                   -
 *   game-2     H         v1 at H                                   -
 *   game-old   H-80h     v1-2 at H-72h                             H-70h
 *   player-1   H-2h      v1-4 at H-2h                              -
 *   solo       H-2h      v1 at H-2h (no '-': category "solo")      -
 *
 *   subscription  stream     last seen  created (following since)
 *   g1            game-1     3          H-90min
 *   g1            player-1   4          H-90min
 *   g2            game-2     1          H
 * </pre>
 */
class MonitoringViewsIT {

    private static final String SCHEMA = "monitor_it";
    private static final TestDatabase database = TestDatabase.get();
    private static final StoreViews views = new StoreViews(SchemaName.of(SCHEMA));
    private static LocalDateTime hour;

    @BeforeAll
    static void dataSet() throws Exception {
        database.dropSchema(SCHEMA);
        new SchemaManager(database.dataSource(), SchemaName.of(SCHEMA), MigrationSource.builtIn()).migrate();
        try (Connection connection = database.connect(); Statement sql = connection.createStatement()) {
            try (ResultSet rs = sql.executeQuery("SELECT date_trunc('hour', now() AT TIME ZONE 'UTC')")) {
                rs.next();
                hour = rs.getObject(1, LocalDateTime.class);
            }
            stream(connection, "game-1", hour.minusHours(1), 5, null);
            stream(connection, "game-2", hour, 1, null);
            stream(connection, "game-old", hour.minusHours(80), 2, hour.minusHours(70));
            stream(connection, "player-1", hour.minusHours(2), 4, null);
            stream(connection, "solo", hour.minusHours(2), 1, null);
            events(connection, "game-1", 1, 2, hour.minusHours(1));
            events(connection, "game-1", 3, 5, hour);
            events(connection, "game-2", 1, 1, hour);
            events(connection, "game-old", 1, 2, hour.minusHours(72));
            events(connection, "player-1", 1, 4, hour.minusHours(2));
            events(connection, "solo", 1, 1, hour.minusHours(2));
            subscription(connection, "g1", "game-1", 3, hour.minusMinutes(90));
            subscription(connection, "g1", "player-1", 4, hour.minusMinutes(90));
            subscription(connection, "g2", "game-2", 1, hour);
            sql.execute("ANALYZE " + SCHEMA + ".events");
        }
    }

    @AfterAll
    static void dropSchema() {
        database.dropSchema(SCHEMA);
    }

    private static void stream(Connection connection, String id, LocalDateTime created, long version, LocalDateTime deleted)
            throws Exception {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + SCHEMA + ".event_streams"
                + " (stream_id, stream_version, created_at, updated_at, deleted_at) VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, id);
            insert.setLong(2, version);
            insert.setObject(3, created);
            insert.setObject(4, deleted != null ? deleted : created);
            insert.setObject(5, deleted);
            insert.executeUpdate();
        }
    }

    private static void events(Connection connection, String stream, int from, int to, LocalDateTime at) throws Exception {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + SCHEMA + ".events"
                + " (stream_id, stream_version, event_type, data, created_at) VALUES (?, ?, 'Tick', '{}', ?)")) {
            for (int version = from; version <= to; version++) {
                insert.setString(1, stream);
                insert.setLong(2, version);
                insert.setObject(3, at);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void subscription(Connection connection, String group, String stream, long version, LocalDateTime at)
            throws Exception {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + SCHEMA + ".subscriptions"
                + " (subscription_id, stream_id, last_seen_event_id, last_seen_stream_version, created_at, updated_at)"
                + " VALUES (?, ?, 1, ?, ?, ?)")) {
            insert.setString(1, group);
            insert.setString(2, stream);
            insert.setLong(3, version);
            insert.setObject(4, at);
            insert.setObject(5, at);
            insert.executeUpdate();
        }
    }

    private static Instant utc(LocalDateTime time) {
        return time.toInstant(ZoneOffset.UTC);
    }

    @Test
    void eventsPerCategoryPerHourCoverTheLast48Hours() throws Exception {
        try (Connection connection = database.connect()) {
            assertThat(views.eventsPerHour(connection)).containsExactly(
                    new StoreViews.EventsPerHour(utc(hour), "game", 4),
                    new StoreViews.EventsPerHour(utc(hour.minusHours(1)), "game", 2),
                    new StoreViews.EventsPerHour(utc(hour.minusHours(2)), "player", 4),
                    new StoreViews.EventsPerHour(utc(hour.minusHours(2)), "solo", 1));
        }
    }

    @Test
    void streamCountsAndSizesPerCategory() throws Exception {
        try (Connection connection = database.connect()) {
            assertThat(views.streamsPerCategory(connection)).containsExactly(
                    new StoreViews.CategoryStreams("game", 3, 1, 8, 5, 2.7, utc(hour)),
                    new StoreViews.CategoryStreams("player", 1, 0, 4, 4, 4.0, utc(hour.minusHours(2))),
                    new StoreViews.CategoryStreams("solo", 1, 0, 1, 1, 1.0, utc(hour.minusHours(2))));
        }
    }

    @Test
    void subscriptionLagPerGroupAndCategory() throws Exception {
        try (Connection connection = database.connect(); Statement sql = connection.createStatement()) {
            List<StoreViews.SubscriptionLag> lags = views.subscriptionLag(connection);
            assertThat(lags).extracting(StoreViews.SubscriptionLag::subscriptionId, StoreViews.SubscriptionLag::category)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("g1", "game"),
                            org.assertj.core.groups.Tuple.tuple("g1", "player"),
                            org.assertj.core.groups.Tuple.tuple("g2", "game"));
            double ageOfHour;
            try (ResultSet rs = sql.executeQuery("SELECT extract(epoch FROM (now() AT TIME ZONE 'UTC') - date_trunc('hour', now() AT TIME ZONE 'UTC'))")) {
                rs.next();
                ageOfHour = rs.getDouble(1);
            }
            // g1 on game: game-1 is 2 behind (5 - 3), game-2 (created after g1 started) 1 behind;
            // game-old (older than g1's first position) is not counted.
            StoreViews.SubscriptionLag g1Game = lags.get(0);
            assertThat(g1Game.followingSince()).isEqualTo(utc(hour.minusMinutes(90)));
            assertThat(g1Game.streamsRecorded()).isEqualTo(1);
            assertThat(g1Game.streamsBehind()).isEqualTo(2);
            assertThat(g1Game.eventsBehind()).isEqualTo(3);
            assertThat(g1Game.lastRecordedAt()).isEqualTo(utc(hour.minusMinutes(90)));
            assertThat(g1Game.oldestUnprocessedAt()).isEqualTo(utc(hour));
            assertThat(g1Game.lagSeconds()).isCloseTo(ageOfHour, within(60.0));
            // g1 on player: caught up.
            assertThat(lags.get(1)).isEqualTo(new StoreViews.SubscriptionLag("g1", "player", utc(hour.minusMinutes(90)), 1, 0, 0,
                    utc(hour.minusMinutes(90)), null, 0.0));
            // g2 started on game at H: game-1 (created at H-1h) is not its business; game-2 is caught up.
            assertThat(lags.get(2)).isEqualTo(new StoreViews.SubscriptionLag("g2", "game", utc(hour), 1, 0, 0, utc(hour), null, 0.0));
        }
    }

    @Test
    void largestStreamsFirst() throws Exception {
        try (Connection connection = database.connect()) {
            List<StoreViews.LargestStream> largest = views.largestStreams(connection, 10);
            assertThat(largest).extracting(StoreViews.LargestStream::streamId)
                    .containsExactly("game-1", "player-1", "game-old", "game-2", "solo");
            assertThat(largest.get(0)).isEqualTo(new StoreViews.LargestStream("game-1", "game", 5, utc(hour.minusHours(1)),
                    utc(hour.minusHours(1)), null));
            assertThat(largest.get(2).deletedAt()).isEqualTo(utc(hour.minusHours(70)));
            assertThat(views.largestStreams(connection, 2)).hasSize(2);
        }
    }

    @Test
    void replicationSlotsWithTheWalTheyRetain() throws Exception {
        String storeSlot = SCHEMA + "_cdc";
        String otherSlot = SCHEMA + "_other";
        try (Connection connection = database.connect(); Statement sql = connection.createStatement()) {
            sql.execute("SELECT pg_create_logical_replication_slot('" + storeSlot + "', 'pgoutput')");
            sql.execute("SELECT pg_create_logical_replication_slot('" + otherSlot + "', 'pgoutput')");
            try {
                sql.execute("INSERT INTO " + SCHEMA + ".cdc_checkpoints (bridge_name, system_identifier, database_name,"
                        + " slot_name, published_below_event_id) VALUES ('monitor-bridge', 1, current_database(), '"
                        + storeSlot + "', 1)");
                // Some WAL the slots must keep.
                sql.execute("INSERT INTO " + SCHEMA + ".cdc_heartbeat VALUES (1, now())");
                for (int i = 0; i < 50; i++) {
                    sql.execute("UPDATE " + SCHEMA + ".cdc_heartbeat SET beat_at = now()");
                }
                Map<String, StoreViews.SlotState> slots = views.slots(connection).stream()
                        .collect(Collectors.toMap(StoreViews.SlotState::slotName, s -> s));
                assertThat(slots).containsKeys(storeSlot, otherSlot);
                StoreViews.SlotState store = slots.get(storeSlot);
                assertThat(store.plugin()).isEqualTo("pgoutput");
                assertThat(store.active()).isFalse();
                assertThat(store.activePid()).isNull();
                assertThat(store.walStatus()).isEqualTo("reserved");
                assertThat(store.storeDefaultSlot()).isTrue();
                assertThat(store.publication()).isEqualTo(SCHEMA + "_events");
                assertThat(store.bridgeName()).isEqualTo("monitor-bridge");
                assertThat(slots.get(otherSlot).storeDefaultSlot()).isFalse();
                assertThat(slots.get(otherSlot).bridgeName()).isNull();
                // Retained WAL is the distance from the slot's restart position to the current
                // position, as PostgreSQL computes it.
                try (ResultSet rs = sql.executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint,"
                        + " pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint"
                        + " FROM pg_replication_slots WHERE slot_name = '" + storeSlot + "'")) {
                    rs.next();
                    assertThat(store.retainedWalBytes()).isPositive().isLessThanOrEqualTo(rs.getLong(1));
                    assertThat(store.unconfirmedWalBytes()).isPositive().isLessThanOrEqualTo(rs.getLong(2));
                }
                assertThat(views.slot(connection, storeSlot)).get()
                        .extracting(StoreViews.SlotState::slotName, StoreViews.SlotState::bridgeName)
                        .containsExactly(storeSlot, "monitor-bridge");
                assertThat(views.slot(connection, "no_such_slot")).isEmpty();
            } finally {
                sql.execute("SELECT pg_drop_replication_slot('" + storeSlot + "')");
                sql.execute("SELECT pg_drop_replication_slot('" + otherSlot + "')");
                sql.execute("DELETE FROM " + SCHEMA + ".cdc_checkpoints");
            }
        }
    }

    @Test
    void tableSizesAndRowEstimates() throws Exception {
        try (Connection connection = database.connect()) {
            Map<String, StoreViews.TableSize> sizes = views.tableSizes(connection).stream()
                    .collect(Collectors.toMap(StoreViews.TableSize::tableName, s -> s));
            assertThat(sizes).containsKeys("events", "event_streams", "subscriptions", "cdc_offsets", "cdc_heartbeat",
                    "cdc_checkpoints", "mirror_positions", "audit_log", "flyway_schema_history");
            StoreViews.TableSize events = sizes.get("events");
            assertThat(events.estimatedRows()).isEqualTo(13);
            assertThat(events.totalBytes()).isEqualTo(events.tableBytes() + events.indexBytes());
            assertThat(events.indexBytes()).isPositive();
        }
    }

    @Test
    void theCategoryFunctionMatchesTheTopicNaming() throws Exception {
        try (Connection connection = database.connect(); Statement sql = connection.createStatement()) {
            for (String id : List.of("game-42", "game-42-b", "solo", "-leading", "a-", "ünï-1")) {
                try (ResultSet rs = sql.executeQuery("SELECT " + SCHEMA + ".stream_category('" + id + "')")) {
                    rs.next();
                    assertThat(rs.getString(1)).as(id).isEqualTo(dev.eventstore.connect.TopicNames.category(id));
                }
            }
        }
    }

    @Test
    void aSchemaWithoutTheViewsSaysToMigrate() throws Exception {
        try (Connection connection = database.connect()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new StoreViews(SchemaName.of("never_migrated_views"))
                            .streamsPerCategory(connection))
                    .hasMessageContaining("schema never_migrated_views has no monitoring views")
                    .hasMessageContaining("run `eventstore migrate`");
        }
    }
}
