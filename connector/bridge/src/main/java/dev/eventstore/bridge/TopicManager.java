package dev.eventstore.bridge;

import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure an event topic exists before its first record is sent: event topics appear with
 * new stream categories, and a broker's auto-creation (if enabled at all) would give them the
 * broker's defaults, possibly compaction or short retention. Created topics always use
 * {@code cleanup.policy=delete} (an event topic is never compacted by stream key) and the
 * configured retention, unlimited by default, and take records as large as the producer sends
 * ({@code max.message.bytes} = {@code producer.max.request.size}).
 *
 * <p>Each event topic's Kafka topic id is recorded in {@code cdc_topics} when the bridge creates
 * or first uses it. A topic that was deleted, or deleted and created again (by an operator, a
 * client or the broker's auto-creation: same name, another id, none of the old records and
 * perhaps the broker's default retention), is refused with one line naming
 * {@code eventstore republish --restore-topic <topic>}: at a topic's first use (so at every
 * start), and whenever the bridge's monitor loop calls {@link #checkKnownTopics()}. The
 * dead-letter topic is not recorded: its records are not in PostgreSQL, so there is nothing to
 * restore it from.
 */
public final class TopicManager {

    private static final Logger log = LoggerFactory.getLogger(TopicManager.class);
    private static final long TIMEOUT_SECONDS = 30;
    private static final long CHECK_TIMEOUT_SECONDS = 10;

    private final Admin admin;
    private final Producer<?, ?> producer;
    private final boolean create;
    private final int partitions;
    private final short replicationFactor;
    private final long retentionMs;
    private final int maxMessageBytes;
    /** Topics in use, with the topic id they had at first use. */
    private final Map<String, Uuid> known = new ConcurrentHashMap<>();
    /** Where topic ids are recorded ({@code null}: not recorded, e.g. in a unit test). */
    private final TopicIds ids;
    private final String bootstrapServers;
    /** How long a topic's first use waits for a Kafka that is away: the producer's delivery.timeout.ms. */
    private final long awayLimitMs;

    /** Topic settings from the bridge's configuration; topic ids recorded in its schema. */
    public static TopicManager of(BridgeConfig config, Admin admin, Producer<?, ?> producer) {
        return new TopicManager(admin, producer, config.getBoolean(BridgeConfig.Key.TOPIC_CREATE),
                config.getInt(BridgeConfig.Key.TOPIC_PARTITIONS), config.getShort(BridgeConfig.Key.TOPIC_REPLICATION_FACTOR),
                config.getLong(BridgeConfig.Key.TOPIC_RETENTION_MS), config.getInt(BridgeConfig.Key.PRODUCER_MAX_REQUEST_SIZE),
                new TopicIds(config.connection().dataSource(), config.schema(), config.deadLetterTopic()),
                config.bootstrapServers(), KafkaClients.deliveryTimeoutMs(config));
    }

    /**
     * @param maxMessageBytes {@code max.message.bytes} of a created topic: the producer's
     *     {@code max.request.size}, so that the topic takes every record the bridge may send
     */
    public TopicManager(Admin admin, Producer<?, ?> producer, boolean create, int partitions, short replicationFactor,
                 long retentionMs, int maxMessageBytes) {
        this(admin, producer, create, partitions, replicationFactor, retentionMs, maxMessageBytes, 120_000L);
    }

    /** As the public constructor, waiting at most {@code awayLimitMs} for a Kafka that is away. */
    TopicManager(Admin admin, Producer<?, ?> producer, boolean create, int partitions, short replicationFactor,
                 long retentionMs, int maxMessageBytes, long awayLimitMs) {
        this(admin, producer, create, partitions, replicationFactor, retentionMs, maxMessageBytes, null, null, awayLimitMs);
    }

    private TopicManager(Admin admin, Producer<?, ?> producer, boolean create, int partitions, short replicationFactor,
                         long retentionMs, int maxMessageBytes, TopicIds ids, String bootstrapServers,
                         long awayLimitMs) {
        this.admin = admin;
        this.producer = producer;
        this.create = create;
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        this.retentionMs = retentionMs;
        this.maxMessageBytes = maxMessageBytes;
        this.ids = ids;
        this.bootstrapServers = bootstrapServers;
        this.awayLimitMs = awayLimitMs;
    }

    /**
     * Warns once when the brokers create topics on demand ({@code auto.create.topics.enable}, on by
     * default): Kafka's producer asks for that whenever it looks up a topic, so an event topic
     * deleted under the bridge comes back at once with the broker's defaults, and its records go
     * there until the next check of the topic ids stops the bridge. A broker whose configuration
     * cannot be read is not reported.
     */
    public void warnIfBrokersAutoCreateTopics() {
        try {
            var nodes = admin.describeCluster().nodes().get(CHECK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (nodes.isEmpty()) {
                return;
            }
            org.apache.kafka.common.config.ConfigResource broker = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.BROKER, nodes.iterator().next().idString());
            var entry = admin.describeConfigs(Set.of(broker)).all().get(CHECK_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .get(broker).get("auto.create.topics.enable");
            if (entry != null && "true".equalsIgnoreCase(entry.value())) {
                log.warn("Kafka's brokers create topics on demand (auto.create.topics.enable=true): an event topic"
                        + " deleted while the bridge runs comes back at once with the broker's defaults, and the bridge"
                        + " stops within seconds asking for republish --restore-topic. Set auto.create.topics.enable=false"
                        + " on the brokers of an event store");
            }
        } catch (ExecutionException | TimeoutException e) {
            log.debug("Cannot read the brokers' auto.create.topics.enable: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The one line for a recorded topic that is gone or has another id, with the recovery command. */
    static String lostTopicMessage(String topic, Uuid recorded, Uuid current) {
        String what = current == null
                ? "Kafka topic " + topic + " no longer exists (recorded with topic id " + recorded + ")"
                : "Kafka topic " + topic + " was deleted and created again (topic id " + current + ", recorded "
                        + recorded + "): its earlier records are gone";
        return what + "; stop the bridge and run: eventstore republish --restore-topic " + topic;
    }

    /**
     * Describes every topic this manager has used and throws {@link BridgeException} with one line
     * naming the topic and {@code eventstore republish --restore-topic} if one is gone or was
     * created again (another topic id). Kafka not answering (within 10 s) is no verdict: the
     * check returns, and the next one asks again.
     */
    public void checkKnownTopics() throws InterruptedException {
        if (known.isEmpty()) {
            return;
        }
        Map<String, KafkaFuture<TopicDescription>> described =
                admin.describeTopics(Set.copyOf(known.keySet())).topicNameValues();
        for (Map.Entry<String, Uuid> topic : known.entrySet()) {
            KafkaFuture<TopicDescription> future = described.get(topic.getKey());
            if (future == null) {
                continue;
            }
            Uuid current;
            try {
                current = future.get(CHECK_TIMEOUT_SECONDS, TimeUnit.SECONDS).topicId();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    log.debug("Cannot check Kafka topic {}: {}", topic.getKey(), e.getCause().getMessage());
                    return;
                }
                current = null;
            } catch (TimeoutException e) {
                log.debug("Kafka did not answer within {} s while checking topic {}", CHECK_TIMEOUT_SECONDS, topic.getKey());
                return;
            }
            if (current == null || !current.equals(topic.getValue())) {
                throw new BridgeException(lostTopicMessage(topic.getKey(), topic.getValue(), current));
            }
        }
    }

    /**
     * For {@code republish --restore-topic}: creates {@code topic}, which must not exist, with the
     * bridge's settings, and returns its topic id (recorded by {@link #recordRestored} once its
     * events are republished). Refuses in one line if the topic exists.
     */
    public Uuid createForRestore(String topic) throws InterruptedException {
        try {
            Optional<TopicDescription> existing = describe(topic);
            if (existing.isPresent()) {
                Uuid id = existing.get().topicId();
                Optional<Uuid> recorded = ids == null ? Optional.empty() : ids.recorded(topic);
                if (recorded.isPresent() && recorded.get().equals(id)) {
                    throw new BridgeException("Kafka topic " + topic + " exists and is the topic the bridge recorded"
                            + " (topic id " + id + "): nothing to restore; republish --category publishes events"
                            + " again without creating the topic");
                }
                throw new BridgeException("Kafka topic " + topic + " exists with topic id " + id
                        + (recorded.isPresent() ? ", not the recorded " + recorded.get() : ", which was never recorded")
                        + " (created again by a client, an operator or an unfinished restore): delete it"
                        + " (kafka-topics.sh --bootstrap-server " + bootstrapServers + " --delete --topic " + topic
                        + ") and run this command again");
            }
            createTopic(topic);
            Uuid id = describe(topic).orElseThrow(() -> new BridgeException("Kafka topic " + topic
                    + " disappeared right after it was created")).topicId();
            known.put(topic, id);
            return id;
        } catch (TimeoutException e) {
            throw new BridgeException("Kafka did not answer within " + TIMEOUT_SECONDS + " s while creating topic " + topic, e);
        }
    }

    /** Records {@code id} as the topic id of {@code topic}, replacing the lost incarnation's. */
    public void recordRestored(String topic, Uuid id) {
        if (ids != null) {
            ids.replace(topic, id);
        }
    }

    /**
     * Returns once {@code topic} exists; creates it if allowed; otherwise a clear error. At a
     * topic's first use, compares its topic id with the recorded one (records it if none is) and
     * refuses a topic that is gone or was created again.
     */
    public void ensureExists(String topic) throws InterruptedException {
        if (known.containsKey(topic)) {
            return;
        }
        // Kafka away (not answering, or every broker fenced while one stops or starts): wait for it
        // as the producer waits for a send, up to delivery.timeout.ms, then stop with what failed.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(awayLimitMs);
        long backoffMs = 200;
        boolean reported = false;
        while (true) {
            try {
                ensureExistsOnce(topic);
                if (reported) {
                    log.info("Kafka answers again: topic {} is in use", topic);
                }
                return;
            } catch (KafkaAway away) {
                if (System.nanoTime() - deadline >= 0) {
                    throw away.failure();
                }
                if (!reported) {
                    reported = true;
                    log.warn("{}; trying again for up to {} s (delivery.timeout.ms)", away.failure().getMessage(),
                            awayLimitMs / 1000);
                }
                Thread.sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 5_000);
            }
        }
    }

    /** What a topic's first use met when Kafka was away, and the error it ends in if Kafka stays away. */
    private static final class KafkaAway extends Exception {
        private final BridgeException failure;

        KafkaAway(BridgeException failure) {
            super(failure.getMessage(), null, false, false);
            this.failure = failure;
        }

        BridgeException failure() {
            return failure;
        }
    }

    /** Whether a failed admin call says Kafka is away for now rather than refusing for good. */
    static boolean kafkaAway(Throwable cause) {
        return cause instanceof RetriableException
                || (cause instanceof org.apache.kafka.common.errors.InvalidReplicationFactorException
                    && cause.getMessage() != null && cause.getMessage().contains("fenced"));
    }

    private void ensureExistsOnce(String topic) throws InterruptedException, KafkaAway {
        try {
            Optional<Uuid> recorded = ids == null ? Optional.empty() : ids.recorded(topic);
            Optional<TopicDescription> existing = describe(topic);
            if (existing.isPresent()) {
                Uuid id = existing.get().topicId();
                if (recorded.isPresent() && !recorded.get().equals(id)) {
                    throw new BridgeException(lostTopicMessage(topic, recorded.get(), id));
                }
                awaitHosted(topic); // it may have been created a moment ago, by another bridge or an operator
                producer.partitionsFor(topic);
                use(topic, id, false);
                return;
            }
            if (recorded.isPresent()) {
                throw new BridgeException(lostTopicMessage(topic, recorded.get(), null));
            }
            if (!create) {
                throw new BridgeException("Kafka topic " + topic + " does not exist and topic.create=false:"
                        + " create it (cleanup.policy=delete) or allow the bridge to");
            }
            createTopic(topic);
            Uuid id = describe(topic).orElseThrow(() -> new BridgeException("Kafka topic " + topic
                    + " disappeared right after it was created")).topicId();
            use(topic, id, true);
        } catch (TimeoutException e) {
            throw new KafkaAway(new BridgeException("Kafka did not answer within " + TIMEOUT_SECONDS + " s while checking topic "
                    + topic, e));
        } catch (BridgeException e) {
            if (e.getCause() != null && kafkaAway(e.getCause())) {
                throw new KafkaAway(e);
            }
            throw e;
        }
    }

    /** Records the topic id (if none is recorded; another bridge or republish may have raced) and remembers it. */
    private void use(String topic, Uuid id, boolean created) {
        if (ids != null) {
            Optional<Uuid> recorded = ids.recordIfAbsent(topic, id, created);
            if (recorded.isPresent() && !recorded.get().equals(id)) {
                throw new BridgeException(lostTopicMessage(topic, recorded.get(), id));
            }
        }
        if (ids == null || !ids.isDeadLetter(topic)) {
            known.put(topic, id); // the dead-letter topic may be purged: nothing to restore it from
        }
    }

    /** Creates the topic with the configured settings and waits until its leaders host it. */
    private void createTopic(String topic) throws InterruptedException, TimeoutException {
        NewTopic newTopic = new NewTopic(topic,
                Optional.of(partitions),
                replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor))
                .configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs),
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(maxMessageBytes)));
        try {
            admin.createTopics(Set.of(newTopic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            log.info("Created Kafka topic {} ({} partitions, retention.ms={})", topic, partitions, retentionMs);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new BridgeException("Kafka topic " + topic + " does not exist and the bridge could not create it: "
                        + e.getCause().getMessage() + "; create it (cleanup.policy=delete) or grant CREATE", e.getCause());
            }
        }
        awaitLeaders(topic);
        // A broker reports a leader (metadata) a moment before that leader hosts the partition
        // (its replica manager applies the same change after). A produce request in that gap is
        // refused with NOT_LEADER_OR_FOLLOWER while a later in-flight one to the same partition
        // may be appended; before Kafka 4.5 (KAFKA-15591) the refused batch then retries with
        // OUT_OF_ORDER_SEQUENCE_NUMBER until delivery.timeout.ms and is failed: a stall, and on
        // the bridge's restart its events land after later ones. Wait until each partition's
        // leader answers for it (ListOffsets goes through the same check as Produce).
        awaitHosted(topic);
        producer.partitionsFor(topic);
    }

    /** Waits until every partition of a created topic has a leader, as the broker reports it. */
    private void awaitLeaders(String topic) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            try {
                TopicDescription description = admin.describeTopics(Set.of(topic)).allTopicNames()
                        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic);
                if (description != null && !description.partitions().isEmpty()
                        && description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new BridgeException("cannot describe Kafka topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
                }
            }
            Thread.sleep(50); // polling the broker's metadata, bounded by the deadline
        }
        throw new TimeoutException("no leader for every partition of " + topic + " after " + TIMEOUT_SECONDS + " s");
    }

    /** Waits until the leader of every partition of {@code topic} answers a ListOffsets request for it. */
    private void awaitHosted(String topic) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int partition = 0; partition < partitionCount(topic); partition++) {
            latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
        }
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            try {
                admin.listOffsets(latest).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException)) {
                    throw new BridgeException("cannot read the offsets of new Kafka topic " + topic + ": "
                            + e.getCause().getMessage(), e.getCause());
                }
                last = e.getCause();
            }
            Thread.sleep(50); // the partitions are being created on their leaders; bounded by the deadline
        }
        throw new TimeoutException("the leaders of " + topic + " did not host its partitions within " + TIMEOUT_SECONDS
                + " s" + (last == null ? "" : ": " + last.getMessage()));
    }

    private int partitionCount(String topic) throws InterruptedException, TimeoutException {
        try {
            return admin.describeTopics(Set.of(topic)).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
        } catch (ExecutionException e) {
            throw new BridgeException("cannot describe Kafka topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    private Optional<TopicDescription> describe(String topic) throws InterruptedException, TimeoutException {
        try {
            return Optional.ofNullable(admin.describeTopics(Set.of(topic)).allTopicNames()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw new BridgeException("cannot describe Kafka topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** The Kafka topic id as PostgreSQL stores it (uuid). */
    static UUID toUuid(Uuid id) {
        return new UUID(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }

    static Uuid fromUuid(UUID id) {
        return new Uuid(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }

    /** The {@code cdc_topics} table: each event topic's recorded topic id. */
    private static final class TopicIds {
        private final javax.sql.DataSource dataSource;
        private final SchemaName schema;
        private final String deadLetterTopic;

        TopicIds(javax.sql.DataSource dataSource, SchemaName schema, String deadLetterTopic) {
            this.dataSource = dataSource;
            this.schema = schema;
            this.deadLetterTopic = deadLetterTopic;
        }

        boolean isDeadLetter(String topic) {
            return topic.equals(deadLetterTopic);
        }

        Optional<Uuid> recorded(String topic) {
            if (topic.equals(deadLetterTopic)) {
                return Optional.empty();
            }
            try (Connection connection = dataSource.getConnection()) {
                return select(connection, topic);
            } catch (SQLException e) {
                throw new BridgeException("cannot read the recorded id of Kafka topic " + topic + ": "
                        + PostgresErrors.describe(e), e);
            }
        }

        /** Records {@code id} unless an id is recorded; returns the recorded one (empty for the dead-letter topic). */
        Optional<Uuid> recordIfAbsent(String topic, Uuid id, boolean created) {
            if (topic.equals(deadLetterTopic)) {
                return Optional.empty();
            }
            try (Connection connection = dataSource.getConnection()) {
                try (PreparedStatement insert = connection.prepareStatement(SqlResource.load("record_cdc_topic", schema))) {
                    insert.setString(1, topic);
                    insert.setObject(2, toUuid(id));
                    insert.setBoolean(3, created);
                    insert.executeUpdate();
                }
                return select(connection, topic);
            } catch (SQLException e) {
                throw new BridgeException("cannot record the id of Kafka topic " + topic + ": "
                        + PostgresErrors.describe(e), e);
            }
        }

        void replace(String topic, Uuid id) {
            try (Connection connection = dataSource.getConnection();
                 PreparedStatement upsert = connection.prepareStatement(SqlResource.load("replace_cdc_topic", schema))) {
                upsert.setString(1, topic);
                upsert.setObject(2, toUuid(id));
                upsert.executeUpdate();
            } catch (SQLException e) {
                throw new BridgeException("cannot record the id of Kafka topic " + topic + ": "
                        + PostgresErrors.describe(e), e);
            }
        }

        private Optional<Uuid> select(Connection connection, String topic) throws SQLException {
            try (PreparedStatement query = connection.prepareStatement(SqlResource.load("select_cdc_topic", schema))) {
                query.setString(1, topic);
                try (ResultSet rs = query.executeQuery()) {
                    return rs.next() ? Optional.of(fromUuid(rs.getObject(1, UUID.class))) : Optional.empty();
                }
            }
        }
    }
}
