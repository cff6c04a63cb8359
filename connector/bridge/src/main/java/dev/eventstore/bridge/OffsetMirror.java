package dev.eventstore.bridge;

import dev.eventstore.EventStore;
import dev.eventstore.SubscriptionStore;
import dev.eventstore.connect.EventRecordHeaders;
import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.schema.SqlResource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors the progress of consumer groups that do not use the consumer library (any language)
 * into the {@code subscriptions} table: for each configured group it reads the event records
 * between the mirror's position and the group's committed offset and records, per stream, the
 * last event the group has consumed (with the record's topic, partition and offset in
 * {@code metadata}). Subscription rows only move forward, and the mirror's own position
 * ({@code mirror_positions}) moves in the same transaction, so restarts neither lose nor regress.
 */
public final class OffsetMirror implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OffsetMirror.class);

    private final BridgeConfig config;
    private final DataSource dataSource;
    private final Pattern include;
    private final Pattern exclude;
    private final int maxRecords;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "eventstore-offset-mirror");
        thread.setDaemon(true);
        return thread;
    });
    private final SubscriptionStore subscriptions;
    private Admin admin;
    private KafkaConsumer<String, byte[]> reader;

    public OffsetMirror(BridgeConfig config) {
        this.config = config;
        this.dataSource = config.connection().dataSource();
        this.include = Pattern.compile(config.getString(BridgeConfig.Key.MIRROR_GROUPS));
        String excluded = config.getString(BridgeConfig.Key.MIRROR_GROUPS_EXCLUDE);
        this.exclude = excluded == null || excluded.isBlank() ? null : Pattern.compile(excluded);
        this.maxRecords = config.getInt(BridgeConfig.Key.MIRROR_MAX_RECORDS);
        this.subscriptions = EventStore.builder(dataSource).schema(config.schema()).build().subscriptions();
    }

    /** Mirrors every {@code mirror.interval.ms} on its own thread until closed. */
    public synchronized void start() {
        long interval = config.getLong(BridgeConfig.Key.MIRROR_INTERVAL_MS);
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                mirrorOnce();
            } catch (Exception e) {
                log.warn("Offset mirror pass failed (next in {} ms): {}", interval, PostgresErrors.describe(e));
            }
        }, 0, interval, TimeUnit.MILLISECONDS);
    }

    /** One pass over every matching group; returns how many subscription rows moved. */
    public synchronized long mirrorOnce() throws Exception {
        if (admin == null) {
            admin = KafkaClients.admin(config, config.name() + "-mirror");
            reader = KafkaClients.reader(config, config.name() + "-mirror-reader");
        }
        long moved = 0;
        for (var listing : admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get(30, TimeUnit.SECONDS)) {
            String group = listing.groupId();
            if (!include.matcher(group).matches() || (exclude != null && exclude.matcher(group).matches())) {
                continue;
            }
            moved += mirrorGroup(group);
        }
        return moved;
    }

    private long mirrorGroup(String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> mirrored = mirrorPositions(group);
        long moved = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : committed.entrySet()) {
            TopicPartition partition = entry.getKey();
            if (entry.getValue() == null || !isEventTopic(partition.topic())) {
                continue;
            }
            long until = entry.getValue().offset();
            Long from = mirrored.get(partition);
            if (from == null) {
                from = admin.listOffsets(Map.of(partition, OffsetSpec.earliest())).partitionResult(partition)
                        .get(30, TimeUnit.SECONDS).offset();
            }
            if (from < until) {
                moved += mirrorRange(group, partition, from, Math.min(until, from + maxRecords));
            }
        }
        return moved;
    }

    private boolean isEventTopic(String topic) {
        return topic.startsWith(config.topicPrefix() + ".") && !topic.equals(config.deadLetterTopic());
    }

    /** Reads [from, until) of one partition and records the group's last event per stream. */
    private long mirrorRange(String group, TopicPartition partition, long from, long until) throws SQLException {
        Map<String, ConsumerRecord<String, byte[]>> lastPerStream = new HashMap<>();
        reader.assign(List.of(partition));
        reader.seek(partition, from);
        long next = from;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (next < until && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(200))) {
                if (record.offset() >= until) {
                    break;
                }
                next = record.offset() + 1;
                if (record.key() != null && version(record) > 0) {
                    lastPerStream.merge(record.key(), record, (a, b) -> version(b) > version(a) ? b : a);
                }
            }
            next = Math.max(next, Math.min(until, reader.position(partition)));
        }
        long moved = 0;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                Set<String> known = existing(connection, lastPerStream.keySet());
                for (ConsumerRecord<String, byte[]> record : lastPerStream.values()) {
                    if (!known.contains(record.key())) {
                        continue; // a record of a stream this store does not have
                    }
                    String metadata = "{\"topic\":\"" + record.topic() + "\",\"partition\":" + record.partition()
                            + ",\"offset\":" + record.offset() + ",\"source\":\"offset-mirror\"}";
                    if (subscriptions.recordPosition(connection, group, record.key(), eventId(record), version(record), metadata)) {
                        moved++;
                    }
                }
                try (PreparedStatement advance = connection.prepareStatement(SqlResource.load("advance_mirror_position", config.schema()))) {
                    advance.setString(1, group);
                    advance.setString(2, partition.topic());
                    advance.setInt(3, partition.partition());
                    advance.setLong(4, next);
                    advance.executeUpdate();
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        return moved;
    }

    private Map<TopicPartition, Long> mirrorPositions(String group) throws SQLException {
        Map<TopicPartition, Long> positions = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(SqlResource.load("mirror_positions", config.schema()))) {
            query.setString(1, group);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    positions.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
                }
            }
        }
        return positions;
    }

    private Set<String> existing(Connection connection, Set<String> streams) throws SQLException {
        Set<String> known = new HashSet<>();
        if (streams.isEmpty()) {
            return known;
        }
        try (PreparedStatement query = connection.prepareStatement(SqlResource.load("existing_streams", config.schema()))) {
            query.setArray(1, connection.createArrayOf("text", streams.toArray()));
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    known.add(rs.getString(1));
                }
            }
        }
        return known;
    }

    private static long version(ConsumerRecord<String, byte[]> record) {
        return number(record.headers().lastHeader(EventRecordHeaders.STREAM_VERSION));
    }

    private static long eventId(ConsumerRecord<String, byte[]> record) {
        return number(record.headers().lastHeader(EventRecordHeaders.ID));
    }

    private static long number(Header header) {
        if (header == null || header.value() == null) {
            return -1;
        }
        try {
            return Long.parseLong(new String(header.value(), StandardCharsets.UTF_8));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (reader != null) {
                reader.close(Duration.ofSeconds(5));
            }
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
            }
        }
    }
}
