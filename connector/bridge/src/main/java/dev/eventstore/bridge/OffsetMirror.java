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
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
 *
 * <p>A position belongs to one incarnation of its topic (its Kafka topic id). When the topic was
 * deleted, or deleted and created again, the mirror forgets the old position (another topic id,
 * or an offset past the partition's end: the offsets went backwards) and reads the new topic
 * from its beginning; a group's committed offsets on a topic that no longer exists are not
 * applied. A group whose name cannot be a subscription id ({@link GroupNames}) is skipped with
 * one warning; a group that fails is reported and the pass goes on to the next one.
 *
 * <p>Run by {@link #start}, it writes only while it holds the store's {@link MirrorLock}: the mirror
 * of {@code eventstore mirror} and the one built into {@code eventstore run} take the same lock, so
 * exactly one of them writes and the others wait (checking at each pass) to take over.
 */
public final class OffsetMirror implements AutoCloseable {

    /** The mirror's position id for published_streams: empty, which no consumer group can be. */
    static final String PUBLISHED_POSITIONS_ID = "";

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
    private final Set<String> skipped = ConcurrentHashMap.newKeySet();
    private final MirrorMetrics metrics;
    private final MirrorLock lock;
    private final Reachability postgres;
    private final boolean publishedPositions;
    private volatile long lastTickNanos = System.nanoTime();
    private volatile boolean waiting;
    private volatile boolean failing;
    private Admin admin;
    private KafkaConsumer<String, byte[]> reader;

    /** The mirror's position on one partition and the topic id it was read from ({@code null}: not known). */
    private record Position(long next, UUID topicId) {
    }

    public OffsetMirror(BridgeConfig config) {
        this(config, config.connection().dataSource(), null, null, false);
    }

    /**
     * @param dataSource where it reads and writes (a pool of the service)
     * @param metrics its figures, or null
     * @param postgres told whether the mirror lock's PostgreSQL answers, or null
     * @param publishedPositions whether each pass also records, in {@code published_streams}, what
     *     the event topics hold (their end offsets): for deployments where Kafka Connect publishes
     *     (the embedded bridge records its acknowledgements itself)
     */
    OffsetMirror(BridgeConfig config, DataSource dataSource, MirrorMetrics metrics, Reachability postgres,
                 boolean publishedPositions) {
        this.config = config;
        this.publishedPositions = publishedPositions;
        this.dataSource = dataSource;
        this.metrics = metrics;
        this.postgres = postgres;
        this.lock = new MirrorLock(config.connection(), config.schema(), "eventstore offset mirror " + config.name());
        this.include = Pattern.compile(config.getString(BridgeConfig.Key.MIRROR_GROUPS));
        String excluded = config.getString(BridgeConfig.Key.MIRROR_GROUPS_EXCLUDE);
        this.exclude = excluded == null || excluded.isBlank() ? null : Pattern.compile(excluded);
        this.maxRecords = config.getInt(BridgeConfig.Key.MIRROR_MAX_RECORDS);
        this.subscriptions = EventStore.builder(dataSource).schema(config.schema()).build().subscriptions();
    }

    /**
     * Mirrors every {@code mirror.interval.ms} on its own thread until closed, while it holds the
     * mirror lock. A failed pass is logged once (and once when passes succeed again), not at every
     * pass of an outage.
     */
    public synchronized void start() {
        long interval = config.getLong(BridgeConfig.Key.MIRROR_INTERVAL_MS);
        scheduler.scheduleWithFixedDelay(() -> {
            lastTickNanos = System.nanoTime();
            try {
                boolean held;
                try {
                    held = lock.tryHold();
                    if (postgres != null) {
                        postgres.reached();
                    }
                } catch (java.sql.SQLException e) {
                    if (postgres != null) {
                        postgres.failed(PostgresErrors.describe(e));
                    }
                    held = false;
                }
                waiting = lock.waiting();
                if (metrics != null) {
                    metrics.lockHeld(held);
                }
                if (!held) {
                    return;
                }
                long moved = mirrorOnce();
                if (metrics != null) {
                    metrics.passCompleted(moved);
                }
                if (failing) {
                    failing = false;
                    log.warn("Offset mirror passes succeed again");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                if (stopping(e)) {
                    return; // closed in the middle of a pass: nothing failed
                }
                if (!failing) {
                    failing = true;
                    log.warn("Offset mirror pass failed (retried every {} ms; logged again when one succeeds): {}",
                            interval, PostgresErrors.describe(e));
                }
            } finally {
                lastTickNanos = System.nanoTime();
            }
        }, 0, interval, TimeUnit.MILLISECONDS);
    }

    /**
     * Whether {@code e} is the mirror being closed rather than a failure: {@link #close} interrupts
     * the pass, and the Kafka and JDBC clients report that wrapped (Kafka's InterruptException, an
     * ExecutionException, a SQLException caused by it).
     */
    private static boolean stopping(Throwable e) {
        if (Thread.currentThread().isInterrupted()) {
            return true;
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InterruptedException || cause instanceof org.apache.kafka.common.errors.InterruptException) {
                return true;
            }
        }
        return false;
    }

    /** Whether another mirror holds the mirror lock and this one waits. */
    boolean waiting() {
        return waiting;
    }

    /** Nanoseconds since the mirror's thread last began or ended a pass (a hung pass grows it). */
    long sinceLastTickNanos() {
        return System.nanoTime() - lastTickNanos;
    }

    /**
     * One pass over every matching group, without the mirror lock (tools and tests that run a
     * single pass call it; {@link #start} takes the lock first); returns how many subscription
     * rows moved.
     */
    public synchronized long mirrorOnce() throws Exception {
        if (admin == null) {
            admin = KafkaClients.admin(config, config.name() + "-mirror");
            reader = KafkaClients.reader(config, config.name() + "-mirror-reader");
        }
        long moved = 0;
        Exception failed = null;
        for (var listing : admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get(30, TimeUnit.SECONDS)) {
            String group = listing.groupId();
            if (!include.matcher(group).matches() || (exclude != null && exclude.matcher(group).matches())) {
                continue;
            }
            String problem = GroupNames.problem(group);
            if (problem != null) {
                if (skipped.add(group)) {
                    log.warn("Offset mirror skips consumer group {}: its name is not a valid subscription id ({})",
                            GroupNames.printable(group), problem);
                }
                continue;
            }
            try {
                moved += mirrorGroup(group);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (stopping(e)) {
                    throw new InterruptedException("offset mirror closed during a pass");
                }
                // The next groups are mirrored all the same; the pass reports the failure at its end.
                log.warn("Offset mirror could not mirror group {}: {}", GroupNames.printable(group), PostgresErrors.describe(e));
                failed = failed == null ? e : failed;
            }
        }
        if (publishedPositions) {
            try {
                mirrorPublished();
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (stopping(e)) {
                    throw new InterruptedException("offset mirror closed during a pass");
                }
                log.warn("Offset mirror could not record published positions: {}", PostgresErrors.describe(e));
                failed = failed == null ? e : failed;
            }
        }
        if (failed != null) {
            throw failed;
        }
        return moved;
    }

    private long mirrorGroup(String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> until = new HashMap<>();
        committed.forEach((partition, offset) -> {
            if (offset != null && isEventTopic(partition.topic())) {
                until.put(partition, offset.offset());
            }
        });
        return mirrorUntil(group, until, (connection, records) -> {
            long moved = 0;
            for (ConsumerRecord<String, byte[]> record : records) {
                String metadata = "{\"topic\":\"" + record.topic() + "\",\"partition\":" + record.partition()
                        + ",\"offset\":" + record.offset() + ",\"source\":\"offset-mirror\"}";
                if (subscriptions.recordPosition(connection, group, record.key(), eventId(record), version(record), metadata)) {
                    moved++;
                }
            }
            return moved;
        });
    }

    /**
     * Records in {@code published_streams} every event record the event topics hold: the same
     * reading as a group's, up to each partition's end offset, with its own position under the
     * empty subscription id, which no consumer group can have.
     */
    private void mirrorPublished() throws Exception {
        Set<String> topics = new HashSet<>();
        for (String topic : admin.listTopics().names().get(30, TimeUnit.SECONDS)) {
            if (isEventTopic(topic)) {
                topics.add(topic);
            }
        }
        if (topics.isEmpty()) {
            return;
        }
        Set<TopicPartition> partitions = new HashSet<>();
        for (var described : admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
            described.partitions().forEach(p -> partitions.add(new TopicPartition(described.name(), p.partition())));
        }
        mirrorUntil(PUBLISHED_POSITIONS_ID, offsets(partitions, OffsetSpec.latest()), (connection, records) -> {
            Map<String, PublishedPositions.Position> positions = new HashMap<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                positions.put(record.key(), new PublishedPositions.Position(record.key(), eventId(record), version(record),
                        record.topic(), record.partition(), record.offset()));
            }
            if (!positions.isEmpty()) {
                PublishedPositions.write(connection, config.schema(), positions);
            }
            return positions.size();
        });
    }

    /** Writes, in the caller's transaction, the last record per stream of a range read; returns how many rows moved. */
    @FunctionalInterface
    private interface PositionSink {
        long write(Connection connection, java.util.Collection<ConsumerRecord<String, byte[]>> lastPerStream)
                throws SQLException;
    }

    /**
     * Reads each partition of {@code until} from the mirror's position for {@code group} (a consumer
     * group, or the published positions' id) up to its offset there, and writes the last record
     * per stream through {@code sink}.
     */
    private long mirrorUntil(String group, Map<TopicPartition, Long> until, PositionSink sink) throws Exception {
        if (until.isEmpty()) {
            return 0;
        }
        Map<String, UUID> topicIds = topicIds(until.keySet());
        until.keySet().removeIf(partition -> !topicIds.containsKey(partition.topic())); // a topic that no longer exists
        if (until.isEmpty()) {
            return 0;
        }
        Map<TopicPartition, Long> starts = offsets(until.keySet(), OffsetSpec.earliest());
        Map<TopicPartition, Long> ends = offsets(until.keySet(), OffsetSpec.latest());
        Map<TopicPartition, Position> mirrored = mirrorPositions(group);
        long moved = 0;
        for (Map.Entry<TopicPartition, Long> entry : until.entrySet()) {
            TopicPartition partition = entry.getKey();
            UUID topicId = topicIds.get(partition.topic());
            Long start = starts.get(partition);
            Long end = ends.get(partition);
            if (start == null || end == null) {
                continue; // the partition no longer exists
            }
            long to = Math.min(entry.getValue(), end);
            Position position = mirrored.get(partition);
            long from;
            boolean reset = false;
            if (position == null) {
                from = start;
            } else if ((position.topicId() != null && !position.topicId().equals(topicId)) || position.next() > end) {
                // Read from a deleted incarnation of the topic: those records are gone.
                log.info("Offset mirror forgets group {}'s position {} on {}: the topic was deleted or created again"
                        + " (topic id {}, end {}); reading it from offset {}", GroupNames.printable(group), position.next(),
                        partition, topicId, end, start);
                from = start;
                reset = true;
            } else {
                from = Math.max(position.next(), start);
            }
            if (from < to) {
                moved += mirrorRange(group, partition, topicId, from, Math.min(to, from + maxRecords), reset, sink);
            } else if (reset || (position != null && position.topicId() == null)) {
                advance(group, partition, topicId, from, reset);
            }
        }
        return moved;
    }

    /** The topic ids of the partitions' topics; a topic that does not exist is left out. */
    private Map<String, UUID> topicIds(Set<TopicPartition> partitions) throws Exception {
        Set<String> topics = new HashSet<>();
        partitions.forEach(p -> topics.add(p.topic()));
        Map<String, UUID> ids = new HashMap<>();
        for (var described : admin.describeTopics(topics).topicNameValues().entrySet()) {
            try {
                ids.put(described.getKey(), TopicManager.toUuid(described.getValue().get(30, TimeUnit.SECONDS).topicId()));
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
        }
        return ids;
    }

    private Map<TopicPartition, Long> offsets(Set<TopicPartition> partitions, OffsetSpec spec) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(p -> request.put(p, spec));
        Map<TopicPartition, Long> offsets = new HashMap<>();
        var result = admin.listOffsets(request);
        for (TopicPartition partition : partitions) {
            try {
                offsets.put(partition, result.partitionResult(partition).get(30, TimeUnit.SECONDS).offset());
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
        }
        return offsets;
    }

    private void advance(String group, TopicPartition partition, UUID topicId, long next, boolean reset) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            advance(connection, group, partition, topicId, next, reset);
        }
    }

    private void advance(Connection connection, String group, TopicPartition partition, UUID topicId, long next,
                         boolean reset) throws SQLException {
        try (PreparedStatement advance = connection.prepareStatement(SqlResource.load("advance_mirror_position", config.schema()))) {
            advance.setString(1, group);
            advance.setString(2, partition.topic());
            advance.setInt(3, partition.partition());
            advance.setLong(4, next);
            advance.setObject(5, topicId);
            advance.setBoolean(6, reset);
            advance.executeUpdate();
        }
    }

    private boolean isEventTopic(String topic) {
        return topic.startsWith(config.topicPrefix() + ".") && !topic.equals(config.deadLetterTopic());
    }

    /** Reads [from, until) of one partition and records the group's last event per stream. */
    private long mirrorRange(String group, TopicPartition partition, UUID topicId, long from, long until, boolean reset,
                             PositionSink sink) throws SQLException {
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
                lastPerStream.keySet().retainAll(known); // records of streams this store does not have are skipped
                moved = sink.write(connection, lastPerStream.values());
                advance(connection, group, partition, topicId, next, reset);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        return moved;
    }

    private Map<TopicPartition, Position> mirrorPositions(String group) throws SQLException {
        Map<TopicPartition, Position> positions = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(SqlResource.load("mirror_positions", config.schema()))) {
            query.setString(1, group);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    positions.put(new TopicPartition(rs.getString(1), rs.getInt(2)),
                            new Position(rs.getLong(3), rs.getObject(4, UUID.class)));
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
        return PublishedPositions.number(record.headers().lastHeader(EventRecordHeaders.STREAM_VERSION));
    }

    private static long eventId(ConsumerRecord<String, byte[]> record) {
        return PublishedPositions.number(record.headers().lastHeader(EventRecordHeaders.ID));
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
            lock.close();
            if (reader != null) {
                reader.close(Duration.ofSeconds(5));
            }
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
            }
        }
    }
}
