package dev.eventstore.maintenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The regular maintenance of the store ({@code eventstore cleanup}): it removes what the
 * retention settings allow and nothing else.
 * <ul>
 *   <li><b>Subscriptions of groups that are gone</b>: none of the group's rows moved for longer
 *       than {@link CleanupSettings#subscriptionsIdle()}, and Kafka no longer knows the group (not
 *       listed, dead, or without members and without committed offsets). A group Kafka still
 *       knows would resume from its offsets, and its rows are its record for
 *       {@code replay --to-subscriptions}: kept. Their offset-mirror positions go with them.</li>
 *   <li><b>Offset-mirror positions</b> of groups without subscription rows that are gone as
 *       above.</li>
 *   <li><b>Debezium offsets of bridges that are gone</b>: not flushed for longer than
 *       {@link CleanupSettings#offsetsIdle()} (a running bridge flushes every second) and the slot
 *       its checkpoint names no longer exists. Offsets of a bridge whose slot exists, whose slot is
 *       unknown, or whose recovery is pending are kept: they are what its next start checks.</li>
 *   <li><b>The heartbeat</b>: nothing. {@code cdc_heartbeat} holds one row (a CHECK keeps it so)
 *       that the bridge upserts in place.</li>
 *   <li><b>Hard delete</b>, only when asked ({@link CleanupSettings#hardDeleteAfter()}): the
 *       events, then the subscription rows, then the row of every stream soft-deleted longer ago,
 *       in one transaction with the immutability trigger's maintenance setting, and an audit row
 *       in the same transaction.</li>
 * </ul>
 * {@link #plan} only reads; {@link #execute} removes exactly the plan's items (checking each
 * condition again as it deletes, so that a group or bridge that came back meanwhile keeps its
 * rows) and returns what it removed, in the plan's form.
 */
public final class Cleanup {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;
    private final SchemaName schema;

    public Cleanup(DataSource dataSource, SchemaName schema) {
        this.dataSource = dataSource;
        this.schema = schema;
    }

    /** What a run with these settings removes now; reads only. */
    public CleanupPlan plan(CleanupSettings settings, GroupDirectory groups) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            LocalDateTime now;
            try (Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery(SqlResource.load("cleanup_now"))) {
                rs.next();
                now = rs.getObject(1, LocalDateTime.class);
            }
            LocalDateTime subscriptionsCutoff = now.minus(settings.subscriptionsIdle());
            LocalDateTime offsetsCutoff = now.minus(settings.offsetsIdle());
            LocalDateTime hardDeleteCutoff = settings.hardDelete() ? now.minus(settings.hardDeleteAfter()) : null;
            List<CleanupPlan.Kept> kept = new ArrayList<>();

            List<CleanupPlan.SubscriptionGroup> subscriptions = new ArrayList<>();
            Set<String> goneGroups = new LinkedHashSet<>();
            try (PreparedStatement query = connection.prepareStatement(SqlResource.load("cleanup_idle_subscriptions", schema))) {
                query.setObject(1, subscriptionsCutoff);
                try (ResultSet rs = query.executeQuery()) {
                    while (rs.next()) {
                        String group = rs.getString("subscription_id");
                        LocalDateTime last = rs.getObject("last_updated_at", LocalDateTime.class);
                        GroupDirectory.Presence presence = groups.presence(group);
                        if (presence.gone()) {
                            subscriptions.add(new CleanupPlan.SubscriptionGroup(group, rs.getLong("row_count"), last,
                                    presence.describe()));
                            goneGroups.add(group);
                        } else {
                            kept.add(new CleanupPlan.Kept("subscription " + group, "idle since " + CleanupPlan.time(last)
                                    + ", but Kafka still knows the group (" + presence.describe() + ")"));
                        }
                    }
                }
            }
            try (PreparedStatement query = connection.prepareStatement(SqlResource.load("cleanup_orphan_mirror_groups", schema))) {
                query.setObject(1, subscriptionsCutoff);
                try (ResultSet rs = query.executeQuery()) {
                    while (rs.next()) {
                        String group = rs.getString("subscription_id");
                        GroupDirectory.Presence presence = groups.presence(group);
                        if (presence.gone()) {
                            goneGroups.add(group);
                        } else {
                            kept.add(new CleanupPlan.Kept("mirror positions of " + group, "idle, but Kafka still knows"
                                    + " the group (" + presence.describe() + ")"));
                        }
                    }
                }
            }
            List<CleanupPlan.MirrorPosition> mirrorPositions = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement(SqlResource.load("cleanup_mirror_positions", schema))) {
                query.setArray(1, connection.createArrayOf("text", goneGroups.toArray()));
                query.setObject(2, subscriptionsCutoff);
                try (ResultSet rs = query.executeQuery()) {
                    while (rs.next()) {
                        mirrorPositions.add(new CleanupPlan.MirrorPosition(rs.getString(1), rs.getString(2), rs.getInt(3)));
                    }
                }
            }

            List<CleanupPlan.BridgeOffsets> offsets = planOffsets(connection, offsetsCutoff, kept);

            CleanupPlan.Heartbeat heartbeat;
            try (Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery(SqlResource.load("cleanup_heartbeat", schema))) {
                rs.next();
                heartbeat = new CleanupPlan.Heartbeat(rs.getLong("row_count"), rs.getObject("last_beat_at", LocalDateTime.class));
            }

            long softDeleted;
            long due;
            try (PreparedStatement query = connection.prepareStatement(SqlResource.load("cleanup_soft_deleted_streams", schema))) {
                query.setObject(1, hardDeleteCutoff != null ? hardDeleteCutoff : now);
                try (ResultSet rs = query.executeQuery()) {
                    rs.next();
                    softDeleted = rs.getLong("deleted");
                    due = rs.getLong("due");
                }
            }
            List<CleanupPlan.DeletedStream> streams = new ArrayList<>();
            if (hardDeleteCutoff != null) {
                try (PreparedStatement query = connection.prepareStatement(SqlResource.load("cleanup_hard_delete_candidates", schema))) {
                    query.setArray(1, connection.createArrayOf("text", subscriptions.stream()
                            .map(CleanupPlan.SubscriptionGroup::subscriptionId).toArray()));
                    query.setObject(2, hardDeleteCutoff);
                    try (ResultSet rs = query.executeQuery()) {
                        while (rs.next()) {
                            streams.add(new CleanupPlan.DeletedStream(rs.getString("stream_id"), rs.getLong("event_count"),
                                    rs.getLong("subscription_rows"), rs.getObject("deleted_at", LocalDateTime.class)));
                        }
                    }
                }
            }
            return new CleanupPlan(now, subscriptionsCutoff, offsetsCutoff, hardDeleteCutoff, List.copyOf(subscriptions),
                    List.copyOf(mirrorPositions), offsets, heartbeat, List.copyOf(streams), softDeleted, due, List.copyOf(kept));
        }
    }

    private List<CleanupPlan.BridgeOffsets> planOffsets(Connection connection, LocalDateTime cutoff,
                                                        List<CleanupPlan.Kept> kept) throws SQLException {
        Map<String, List<String>> keysByBridge = new LinkedHashMap<>();
        Map<String, LocalDateTime> lastFlush = new HashMap<>();
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(SqlResource.load("cleanup_cdc_offsets", schema))) {
            while (rs.next()) {
                String key = rs.getString("offset_key");
                String bridge = bridgeName(key);
                keysByBridge.computeIfAbsent(bridge, b -> new ArrayList<>()).add(key);
                LocalDateTime updated = rs.getObject("updated_at", LocalDateTime.class);
                lastFlush.merge(bridge, updated, (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        record Slot(String name, boolean exists, boolean recoveryPending) {
        }
        Map<String, Slot> slots = new HashMap<>();
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(SqlResource.load("cleanup_checkpoints", schema))) {
            while (rs.next()) {
                slots.put(rs.getString("bridge_name"), new Slot(rs.getString("slot_name"), rs.getBoolean("slot_exists"),
                        rs.getBoolean("recovery_pending")));
            }
        }
        List<CleanupPlan.BridgeOffsets> removable = new ArrayList<>();
        for (Map.Entry<String, List<String>> entry : keysByBridge.entrySet()) {
            String bridge = entry.getKey();
            LocalDateTime last = lastFlush.get(bridge);
            if (!last.isBefore(cutoff)) {
                continue; // flushed recently: a running bridge
            }
            String what = "offsets of bridge " + bridge;
            Slot slot = slots.get(bridge);
            if (slot == null) {
                kept.add(new CleanupPlan.Kept(what, "last flush " + CleanupPlan.time(last) + ", but no checkpoint names"
                        + " its slot (written by a bridge older than cdc_checkpoints): delete them by hand once the bridge"
                        + " and its slot are gone"));
            } else if (slot.recoveryPending()) {
                kept.add(new CleanupPlan.Kept(what, "a recovery is pending (the bridge refused to resume): its next start"
                        + " needs them"));
            } else if (slot.exists()) {
                kept.add(new CleanupPlan.Kept(what, "last flush " + CleanupPlan.time(last) + ", but its slot "
                        + slot.name() + " still exists (it holds WAL: drop it if the bridge is gone for good)"));
            } else {
                removable.add(new CleanupPlan.BridgeOffsets(bridge, List.copyOf(entry.getValue()), last, slot.name()));
            }
        }
        return List.copyOf(removable);
    }

    /** The bridge name of an offset key, a JSON array [bridge name, source partition]. */
    static String bridgeName(String offsetKey) {
        try {
            JsonNode node = JSON.readTree(offsetKey);
            if (node != null && node.isArray() && node.size() >= 1 && node.get(0).isTextual()) {
                return node.get(0).asText();
            }
        } catch (IOException e) {
            // fall through: an unreadable key is shown as it is
        }
        return offsetKey;
    }

    /**
     * Removes exactly the plan's items, in one transaction with its audit row, and returns what
     * was removed (an item that no longer qualifies is left alone and not listed).
     *
     * @param command and {@code arguments}: what the audit row records (secrets are masked)
     */
    public Result execute(CleanupPlan plan, String command, List<String> arguments) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                List<CleanupPlan.SubscriptionGroup> subscriptions = new ArrayList<>();
                try (PreparedStatement delete = connection.prepareStatement(SqlResource.load("cleanup_delete_subscriptions", schema))) {
                    for (CleanupPlan.SubscriptionGroup group : plan.subscriptions()) {
                        delete.setString(1, group.subscriptionId());
                        delete.setObject(2, plan.subscriptionsCutoff());
                        int rows = delete.executeUpdate();
                        if (rows > 0) {
                            subscriptions.add(new CleanupPlan.SubscriptionGroup(group.subscriptionId(), rows,
                                    group.lastUpdatedAt(), group.kafka()));
                        }
                    }
                }
                List<CleanupPlan.MirrorPosition> mirrorPositions = new ArrayList<>();
                try (PreparedStatement delete = connection.prepareStatement(SqlResource.load("cleanup_delete_mirror_position", schema))) {
                    for (CleanupPlan.MirrorPosition position : plan.mirrorPositions()) {
                        delete.setString(1, position.subscriptionId());
                        delete.setString(2, position.topic());
                        delete.setInt(3, position.partition());
                        delete.setObject(4, plan.subscriptionsCutoff());
                        if (delete.executeUpdate() > 0) {
                            mirrorPositions.add(position);
                        }
                    }
                }
                List<CleanupPlan.BridgeOffsets> offsets = new ArrayList<>();
                try (PreparedStatement delete = connection.prepareStatement(SqlResource.load("cleanup_delete_cdc_offset", schema));
                     PreparedStatement checkpoint = connection.prepareStatement(SqlResource.load("delete_cdc_checkpoint", schema))) {
                    for (CleanupPlan.BridgeOffsets bridge : plan.offsets()) {
                        List<String> deleted = new ArrayList<>();
                        for (String key : bridge.keys()) {
                            delete.setString(1, key);
                            delete.setObject(2, plan.offsetsCutoff());
                            if (delete.executeUpdate() > 0) {
                                deleted.add(key);
                            }
                        }
                        if (deleted.size() == bridge.keys().size()) {
                            checkpoint.setString(1, bridge.bridgeName());
                            checkpoint.executeUpdate();
                        }
                        if (!deleted.isEmpty()) {
                            offsets.add(new CleanupPlan.BridgeOffsets(bridge.bridgeName(), List.copyOf(deleted),
                                    bridge.lastFlushAt(), bridge.slotName()));
                        }
                    }
                }
                List<CleanupPlan.DeletedStream> streams = plan.streams().isEmpty() ? List.of() : hardDelete(connection, plan);

                CleanupPlan removed = new CleanupPlan(plan.now(), plan.subscriptionsCutoff(), plan.offsetsCutoff(),
                        plan.hardDeleteCutoff(), List.copyOf(subscriptions), List.copyOf(mirrorPositions), List.copyOf(offsets),
                        plan.heartbeat(), streams, plan.softDeletedStreams(), plan.softDeletedDue(), plan.kept());
                Long auditId = null;
                if (removed.removesAnything()) {
                    auditId = new AuditLog(schema).record(connection, command, arguments, removed.auditDetails());
                }
                connection.commit();
                return new Result(removed, auditId);
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** What {@link #execute} removed, and the id of its audit row ({@code null}: nothing removed, no row). */
    public record Result(CleanupPlan removed, Long auditId) {
    }

    /** Events, then subscription rows, then stream rows, of the plan's streams that still qualify. */
    private List<CleanupPlan.DeletedStream> hardDelete(Connection connection, CleanupPlan plan) throws SQLException {
        Map<String, CleanupPlan.DeletedStream> planned = new LinkedHashMap<>();
        plan.streams().forEach(s -> planned.put(s.streamId(), s));
        List<String> locked = new ArrayList<>();
        try (PreparedStatement lock = connection.prepareStatement(SqlResource.load("cleanup_lock_deleted_streams", schema))) {
            lock.setArray(1, connection.createArrayOf("text", planned.keySet().toArray()));
            lock.setObject(2, plan.hardDeleteCutoff());
            try (ResultSet rs = lock.executeQuery()) {
                while (rs.next()) {
                    locked.add(rs.getString(1));
                }
            }
        }
        if (locked.isEmpty()) {
            return List.of();
        }
        Array ids = connection.createArrayOf("text", locked.toArray());
        try (Statement statement = connection.createStatement()) {
            statement.execute(SqlResource.load("cleanup_maintenance_on"));
        }
        Map<String, Long> events = countsPerStream(connection, "cleanup_hard_delete_events", ids);
        Map<String, Long> subscriptionRows = countsPerStream(connection, "cleanup_hard_delete_subscriptions", ids);
        try (PreparedStatement delete = connection.prepareStatement(SqlResource.load("cleanup_hard_delete_streams", schema))) {
            delete.setArray(1, ids);
            delete.setArray(2, ids);
            delete.executeUpdate();
        }
        List<CleanupPlan.DeletedStream> deleted = new ArrayList<>();
        for (String streamId : locked) {
            deleted.add(new CleanupPlan.DeletedStream(streamId, events.getOrDefault(streamId, 0L),
                    subscriptionRows.getOrDefault(streamId, 0L), planned.get(streamId).deletedAt()));
        }
        return List.copyOf(deleted);
    }

    private Map<String, Long> countsPerStream(Connection connection, String sql, Array ids) throws SQLException {
        Map<String, Long> counts = new HashMap<>();
        try (PreparedStatement delete = connection.prepareStatement(SqlResource.load(sql, schema))) {
            delete.setArray(1, ids);
            try (ResultSet rs = delete.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString("stream_id"), rs.getLong("row_count"));
                }
            }
        }
        return counts;
    }

    /** A Duration for messages: "30d", "12h", "45m" or its ISO form. */
    public static String describe(Duration duration) {
        if (duration.toSeconds() % 86_400 == 0 && !duration.isZero()) {
            return duration.toDays() + "d";
        }
        if (duration.toSeconds() % 3_600 == 0 && !duration.isZero()) {
            return duration.toHours() + "h";
        }
        if (duration.toSeconds() % 60 == 0 && !duration.isZero()) {
            return duration.toMinutes() + "m";
        }
        return duration.toString();
    }
}
