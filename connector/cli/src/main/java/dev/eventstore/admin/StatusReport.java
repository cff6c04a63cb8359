package dev.eventstore.admin;

import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.GroupNames;
import dev.eventstore.bridge.KafkaClients;
import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.bridge.StoreViews;
import dev.eventstore.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * What {@code eventstore status} shows: the pipeline (the bridge's slot, the WAL it retains, the
 * last event published) and every consumer group's lag per category, in events and in seconds.
 * A group's position on a partition is the furthest of the one recorded in the
 * {@code subscriptions} table (the consumer library and the offset mirror write it) and Kafka's
 * committed offset.
 *
 * <p>What PostgreSQL knows comes from the monitoring views ({@link StoreViews}), the same rows
 * the bridge's {@code /metrics} and an operator's dashboard read: the slot from
 * {@code monitor_replication_slots}, and each subscription's lag in the store (streams and events
 * behind, age of the oldest unprocessed event) from {@code monitor_subscription_lag}.
 */
public final class StatusReport {

    /**
     * The bridge's side. {@code lastPublished} is the newest event record's timestamp.
     *
     * @param failover whether the slot survives a PostgreSQL failover, in words (see {@link #failover})
     */
    public record Pipeline(String slot, boolean slotExists, boolean slotActive, String walStatus,
                           long retainedWalBytes, long slotLagBytes, Instant lastPublished, long topics, String failover) {
    }

    /**
     * One group on one category.
     *
     * @param lagSeconds age of the oldest record the group has not processed; 0 when caught up
     * @param source where the position comes from: subscriptions (PostgreSQL) or kafka (committed offsets)
     * @param flag why the group's name cannot be a subscription id (the offset mirror skips the
     *     group and its lag comes from Kafka alone), or {@code null}
     */
    public record GroupLag(String group, String category, String state, long lagEvents, double lagSeconds, String source,
                           String flag) {
    }

    /**
     * @param subscriptions each subscription's lag per category as the store sees it (view
     *     monitor_subscription_lag): what it has processed of each stream, whatever Kafka's offsets say
     */
    public record Status(Pipeline pipeline, List<GroupLag> groups, List<StoreViews.SubscriptionLag> subscriptions) {
    }

    private final BridgeConfig config;

    public StatusReport(BridgeConfig config) {
        this.config = config;
    }

    public Status collect(String slotName) throws Exception {
        try (Admin admin = KafkaClients.admin(config, config.name() + "-status");
             KafkaConsumer<String, byte[]> reader = KafkaClients.reader(config, config.name() + "-status-reader")) {
            ConsumerGroups groups = new ConsumerGroups(admin, config);
            Set<String> topics = EventTopics.list(admin, config, null);
            List<TopicPartition> partitions = topics.isEmpty() ? List.of() : groups.partitions(topics);
            Map<TopicPartition, Long> ends = partitions.isEmpty() ? Map.of() : groups.offsets(partitions, OffsetSpec.latest());
            Map<TopicPartition, Long> starts = partitions.isEmpty() ? Map.of() : groups.offsets(partitions, OffsetSpec.earliest());

            Instant lastPublished = null;
            for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                if (end.getValue() > starts.get(end.getKey())) {
                    Instant time = timestampAt(reader, end.getKey(), end.getValue() - 1);
                    if (time != null && (lastPublished == null || time.isAfter(lastPublished))) {
                        lastPublished = time;
                    }
                }
            }
            Pipeline pipeline = pipeline(slotName, lastPublished, topics.size());

            List<GroupLag> lags = new ArrayList<>();
            Instant now = Instant.now();
            for (String group : groups.groups()) {
                String flag = GroupNames.problem(group);
                // Positions past a partition's end were read from a deleted incarnation of the topic.
                Map<TopicPartition, Long> recorded = ConsumerGroups.withinEnds(groups.recorded(group), ends);
                // The furthest of the two: a checkpointing subscriber records in PostgreSQL before it
                // commits to Kafka, but a duplicate it skips moves only its Kafka offset.
                Map<TopicPartition, Long> positions = new HashMap<>(
                        ConsumerGroups.withinEnds(groups.committed(group, partitions), ends));
                recorded.forEach((partition, offset) -> positions.merge(partition, offset, Math::max));
                if (positions.isEmpty()) {
                    continue; // a group of other topics
                }
                ConsumerGroupDescription description = groups.describe(group);
                String state = description == null ? "unknown to Kafka"
                        : description.groupState().toString().toLowerCase() + ", " + description.members().size() + " members";
                Map<String, long[]> lagByCategory = new TreeMap<>();
                Map<String, Double> secondsByCategory = new HashMap<>();
                for (TopicPartition partition : partitions) {
                    if (positions.keySet().stream().noneMatch(p -> p.topic().equals(partition.topic()))) {
                        continue; // the group does not read this topic
                    }
                    long position = Math.max(positions.getOrDefault(partition, starts.get(partition)), starts.get(partition));
                    long lag = Math.max(0, ends.get(partition) - position);
                    String category = partition.topic().substring(config.topicPrefix().length() + 1);
                    lagByCategory.computeIfAbsent(category, c -> new long[1])[0] += lag;
                    double seconds = 0;
                    if (lag > 0) {
                        Instant oldest = timestampAt(reader, partition, position);
                        seconds = oldest == null ? 0 : Math.max(0, Duration.between(oldest, now).toMillis() / 1000.0);
                    }
                    secondsByCategory.merge(category, seconds, Math::max);
                }
                String source = recorded.isEmpty() ? "kafka" : "subscriptions";
                lagByCategory.forEach((category, lag) -> lags.add(new GroupLag(group, category, state, lag[0],
                        secondsByCategory.getOrDefault(category, 0.0), source,
                        flag == null ? null : "not mirrored: its name is not a valid subscription id (" + flag + ")")));
            }
            return new Status(pipeline, lags, subscriptionLag());
        }
    }

    private Pipeline pipeline(String slotName, Instant lastPublished, int topics) {
        try (Connection connection = config.connection().dataSource().getConnection()) {
            Optional<StoreViews.SlotState> slot = new StoreViews(config.schema()).slot(connection, slotName);
            if (slot.isEmpty()) {
                return new Pipeline(slotName, false, false, null, 0, 0, lastPublished, topics, null);
            }
            StoreViews.SlotState s = slot.get();
            return new Pipeline(slotName, true, s.active(), s.walStatus(), s.retainedWalBytes(), s.unconfirmedWalBytes(),
                    lastPublished, topics, failover(connection, slotName));
        } catch (SQLException e) {
            throw new dev.eventstore.bridge.BridgeException(PostgresErrors.describe(e), e);
        }
    }

    /**
     * Whether the slot survives a failover: a failover slot, and the standbys that logical decoding
     * waits for ({@code synchronized_standby_slots}); on a standby, whether its copy is usable.
     */
    static String failover(Connection connection, String slotName) throws SQLException {
        if (connection.getMetaData().getDatabaseMajorVersion() < 17) {
            return "not a failover slot: PostgreSQL before 17 keeps slots on the primary only (a failover needs a republish)";
        }
        try (PreparedStatement query = connection.prepareStatement(SqlResource.load("slot_failover"))) {
            query.setString(1, slotName);
            try (ResultSet rs = query.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                if (rs.getBoolean("synced")) {
                    return rs.getBoolean("temporary")
                            ? "synchronised copy on this standby, still temporary: a promotion now would drop it"
                            : "synchronised copy on this standby, usable after a promotion";
                }
                if (!rs.getBoolean("failover")) {
                    return "NOT a failover slot: a failover loses it (docs/operations.md, PostgreSQL failover)";
                }
                String standbys = rs.getString("standby_slots");
                return standbys == null
                        ? "failover slot; synchronized_standby_slots is empty: the bridge may publish what a failover loses"
                        : "failover slot; logical decoding waits for standby slots " + standbys;
            }
        }
    }

    private List<StoreViews.SubscriptionLag> subscriptionLag() {
        try (Connection connection = config.connection().dataSource().getConnection()) {
            return new StoreViews(config.schema()).subscriptionLag(connection);
        } catch (SQLException e) {
            throw new dev.eventstore.bridge.BridgeException(PostgresErrors.describe(e), e);
        }
    }

    /** The timestamp of the record at {@code offset}, or {@code null} if it cannot be read. */
    private static Instant timestampAt(KafkaConsumer<String, byte[]> reader, TopicPartition partition, long offset) {
        reader.assign(List.of(partition));
        reader.seek(partition, offset);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(200))) {
                if (record.offset() >= offset) {
                    return Instant.ofEpochMilli(record.timestamp());
                }
            }
        }
        return null;
    }
}
