package dev.eventstore.admin;

import dev.eventstore.EventStore;
import dev.eventstore.SubscriptionStore;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.BridgeException;
import dev.eventstore.bridge.GroupNames;
import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * Consumer groups as the event store sees them: Kafka's committed offsets and end offsets, and
 * the positions recorded in the {@code subscriptions} table (a group resumes at the highest
 * recorded offset plus one on each partition).
 */
final class ConsumerGroups {

    static final long TIMEOUT_SECONDS = 30;

    private final Admin admin;
    private final DataSource dataSource;
    private final BridgeConfig config;
    private final SubscriptionStore subscriptions;

    ConsumerGroups(Admin admin, BridgeConfig config) {
        this.admin = admin;
        this.config = config;
        this.dataSource = config.connection().dataSource();
        this.subscriptions = EventStore.builder(dataSource).schema(config.schema()).build().subscriptions();
    }

    /** Groups known to Kafka plus subscriptions recorded in PostgreSQL, sorted. */
    Set<String> groups() throws Exception {
        Set<String> groups = new TreeSet<>();
        admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .forEach(listing -> groups.add(listing.groupId()));
        groups.addAll(subscriptionIds());
        return groups;
    }

    List<String> subscriptionIds() {
        List<String> ids = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(SqlResource.load("subscription_ids", config.schema()))) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new BridgeException(PostgresErrors.describe(e), e);
        }
        return ids;
    }

    /** The group's state and member count; {@code null} when Kafka does not know the group. */
    ConsumerGroupDescription describe(String group) throws Exception {
        try {
            ConsumerGroupDescription description = admin.describeConsumerGroups(Set.of(group)).all()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(group);
            return description == null || description.groupState() == GroupState.DEAD ? null : description;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return null;
            }
            throw e;
        }
    }

    /** Kafka's committed offsets of the group on {@code partitions} (absent: none committed). */
    Map<TopicPartition, Long> committed(String group, Collection<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<TopicPartition, Long> committed = new HashMap<>();
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata offset = offsets.get(partition);
            if (offset != null) {
                committed.put(partition, offset.offset());
            }
        }
        return committed;
    }

    /**
     * The positions recorded in PostgreSQL: highest recorded offset plus one, per partition, only
     * from positions read on the topic's current incarnation (cdc_topics); none for a group name
     * that cannot be a subscription id ({@link GroupNames}).
     */
    Map<TopicPartition, Long> recorded(String group) {
        return recorded(group, false);
    }

    /** As {@link #recorded(String)}, with {@code earlierIncarnations} the positions read from deleted topics too. */
    Map<TopicPartition, Long> recorded(String group, boolean earlierIncarnations) {
        Map<TopicPartition, Long> positions = new HashMap<>();
        if (GroupNames.problem(group) != null) {
            return positions;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(SqlResource.load("subscription_current_positions",
                     config.schema()))) {
            query.setString(1, group);
            query.setBoolean(2, earlierIncarnations);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    positions.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
                }
            }
        } catch (SQLException e) {
            throw new BridgeException(PostgresErrors.describe(e), e);
        }
        return positions;
    }

    /**
     * Drops positions past the end of their partition: they were read from a deleted incarnation
     * of the topic (its offsets went backwards) and describe records that do not exist.
     */
    static Map<TopicPartition, Long> withinEnds(Map<TopicPartition, Long> positions, Map<TopicPartition, Long> ends) {
        Map<TopicPartition, Long> kept = new HashMap<>();
        positions.forEach((partition, offset) -> {
            Long end = ends.get(partition);
            if (end == null || offset <= end) {
                kept.put(partition, offset);
            }
        });
        return kept;
    }

    Map<TopicPartition, Long> offsets(Collection<TopicPartition> partitions, OffsetSpec spec) throws Exception {
        Map<TopicPartition, OffsetSpec> request = partitions.stream().collect(Collectors.toMap(p -> p, p -> spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result =
                admin.listOffsets(request).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        result.forEach((partition, info) -> offsets.put(partition, info.offset()));
        return offsets;
    }

    /** Every partition of {@code topics}. */
    List<TopicPartition> partitions(Collection<String> topics) throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        admin.describeTopics(topics).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).forEach((topic, description) ->
                description.partitions().forEach(p -> partitions.add(new TopicPartition(topic, p.partition()))));
        partitions.sort(java.util.Comparator.comparing(TopicPartition::topic).thenComparing(TopicPartition::partition));
        return partitions;
    }
}
