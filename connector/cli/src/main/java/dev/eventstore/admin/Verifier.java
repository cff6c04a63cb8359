package dev.eventstore.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.KafkaClients;
import dev.eventstore.connect.EventRecordHeaders;
import dev.eventstore.schema.SqlResource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Checks Kafka against PostgreSQL: every stored event is in its topic, and each stream's records
 * arrive in version order. Reports missing, duplicated, out-of-order and unknown records.
 *
 * <p>On a live system it never calls an event missing that the bridge has not had time to
 * publish: it reads the stored streams in one snapshot together with the WAL position of that
 * snapshot, and when Kafka lacks events while the bridge is streaming (its slot active), it waits
 * (bounded) until the slot has confirmed that position (the bridge confirms only what Kafka
 * acknowledged; its heartbeat moves the slot on when no events come), then reads Kafka again: on
 * from where the first read ended, and from their beginning the topics the bridge created meanwhile.
 * What is still absent then is missing; if the slot does not get there in time, the absent
 * events are reported as not yet published instead. With no bridge streaming (slot inactive or
 * gone), absent events are missing: nothing is on its way.
 *
 * <p>An absent event found in the dead-letter topic (the bridge's {@code errors.policy=dead-letter}
 * parked it there, with its ids, when Kafka refused it) is counted as dead-lettered, not missing.
 * A record that is not an event record (no key, a header without a value, no stream version) is
 * counted as unknown; so is an event of a stream the store does not have, unless the stream was
 * created after the snapshot (it exists when verify looks again). Missing events of a recorded
 * topic that is gone or was created again (another topic id than in {@code cdc_topics}) are
 * restored with {@code republish --restore-topic}, which the report names.
 */
public final class Verifier {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EXAMPLES = 5;
    /** The header with which the bridge names an event's topic on its dead-letter record (EventPublisher). */
    static final String DEAD_LETTER_TOPIC_HEADER = "eventstore_error_topic";

    private final BridgeConfig config;
    private final DataSource dataSource;

    public Verifier(BridgeConfig config) {
        this.config = config;
        this.dataSource = config.connection().dataSource();
    }

    /** The outcome; examples are "stream@version" (with the event id where known). */
    public record Report(long storedEvents, long streams, long records, Set<String> topics, long missing,
                         long duplicated, long outOfOrder, long unknown, long notYetPublished,
                         List<String> missingExamples, List<String> duplicatedExamples,
                         List<String> outOfOrderExamples, List<String> unknownExamples, String note,
                         long deadLettered, List<String> deadLetteredExamples, String deadLetterTopic,
                         List<String> lostTopics) {

        /** Missing or out-of-order records: the failures that make verify exit non-zero. */
        public boolean failed() {
            return missing > 0 || outOfOrder > 0;
        }
    }

    /** Records of a stream that is not in the snapshot: how many, and the first few. */
    private static final class Unstored {
        long count;
        final List<String> examples = new ArrayList<>();
    }

    /** What Kafka holds of one stream. */
    private static final class StreamRecords {
        final BitSet seen = new BitSet();
        long maxSeen;
    }

    /**
     * @param category only this category, or {@code null} for all
     * @param slotName the slot whose progress tells what should be published
     * @param wait how long to wait for the slot when Kafka lacks events
     */
    public Report verify(String category, String slotName, Duration wait, Duration readTimeout) throws Exception {
        Map<String, Long> stored = new HashMap<>();
        String snapshotLsn = readStoredStreams(category, stored);
        long storedEvents = stored.values().stream().mapToLong(Long::longValue).sum();

        Map<String, StreamRecords> kafka = new HashMap<>();
        long[] counts = new long[4]; // records, duplicated, out of order, unknown (foreign records)
        List<String> duplicatedExamples = new ArrayList<>();
        List<String> outOfOrderExamples = new ArrayList<>();
        List<String> unknownExamples = new ArrayList<>();
        // Records of streams not in the snapshot: unknown unless the stream exists when looked up again.
        Map<String, Unstored> unstored = new HashMap<>();
        Set<String> topics;
        try (Admin admin = KafkaClients.admin(config, config.name() + "-verify-admin");
             KafkaConsumer<String, byte[]> consumer = KafkaClients.reader(config, config.name() + "-verify")) {
            topics = EventTopics.list(admin, config, category);
            List<TopicPartition> partitions = EventTopics.partitions(consumer, topics);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            java.util.function.Consumer<ConsumerRecord<String, byte[]>> check = record -> {
                counts[0]++;
                RecordIds ids = RecordIds.of(record);
                if (ids == null) {
                    counts[3]++;
                    example(unknownExamples, "a record that is not an event record at " + record.topic() + "-"
                            + record.partition() + "@" + record.offset());
                    return;
                }
                Long storedVersion = stored.get(ids.streamId());
                if (storedVersion == null) {
                    if (inCategory(ids.streamId(), category)) {
                        Unstored records = unstored.computeIfAbsent(ids.streamId(), s -> new Unstored());
                        records.count++;
                        example(records.examples, ids.describe());
                    }
                    return;
                }
                if (ids.streamVersion() > storedVersion) {
                    return; // appended after the snapshot; not this run's business
                }
                StreamRecords stream = kafka.computeIfAbsent(ids.streamId(), s -> new StreamRecords());
                int version = Math.toIntExact(ids.streamVersion());
                if (stream.seen.get(version)) {
                    counts[1]++;
                    example(duplicatedExamples, ids.describe());
                } else if (version < stream.maxSeen) {
                    counts[2]++;
                    example(outOfOrderExamples, ids.describe() + " after version " + stream.maxSeen);
                }
                stream.seen.set(version);
                stream.maxSeen = Math.max(stream.maxSeen, version);
            };
            EventTopics.readTo(consumer, consumer.endOffsets(partitions), check, readTimeout);

            long absent = absent(stored, kafka, Map.of());
            String note = null;
            boolean pending = false;
            if (absent > 0) {
                SlotProgress progress = awaitSlot(slotName, snapshotLsn, wait);
                // Whatever the bridge published meanwhile, in topics it created meanwhile too (the
                // first event of a category): read on to the new end.
                Set<String> listed = EventTopics.list(admin, config, category);
                partitions = EventTopics.assignNew(consumer, listed);
                Set<String> read = new java.util.TreeSet<>(topics);
                read.addAll(listed);
                topics = read;
                EventTopics.readTo(consumer, consumer.endOffsets(partitions), check, readTimeout);
                absent = absent(stored, kafka, Map.of());
                if (progress == SlotProgress.NO_SLOT) {
                    note = "replication slot " + slotName + " not found: absent events are counted as missing";
                } else if (progress == SlotProgress.INACTIVE) {
                    note = "replication slot " + slotName + " is inactive (no bridge running): absent events are"
                            + " counted as missing";
                } else if (progress == SlotProgress.BEHIND && absent > 0) {
                    note = "the bridge's slot " + slotName + " had not confirmed WAL position " + snapshotLsn + " after "
                            + wait.toSeconds() + " s: absent events may only be not yet published";
                    pending = true;
                }
            }
            // Streams created after the snapshot are not unknown.
            Set<String> createdSince = existing(unstored.keySet());
            unstored.forEach((stream, records) -> {
                if (!createdSince.contains(stream)) {
                    counts[3] += records.count;
                    records.examples.forEach(r -> example(unknownExamples, r));
                }
            });
            Map<String, BitSet> deadLetters = new HashMap<>();
            String deadLetterTopic = null;
            if (absent > 0) {
                deadLetterTopic = readDeadLetters(admin, consumer, stored, deadLetters, readTimeout);
            }
            long deadLettered = absent - absent(stored, kafka, deadLetters);
            List<String> deadLetteredExamples = deadLettered == 0 ? List.of() : deadLetteredExamples(stored, kafka, deadLetters);
            absent -= deadLettered;
            List<String> lost = absent > 0 ? lostTopics(admin, category) : List.of();
            if (pending) {
                return new Report(storedEvents, stored.size(), counts[0], topics, 0, counts[1], counts[2], counts[3], absent,
                        List.of(), duplicatedExamples, outOfOrderExamples, unknownExamples, note, deadLettered,
                        deadLetteredExamples, deadLetterTopic, lost);
            }
            List<String> missingExamples = missingExamples(stored, kafka, deadLetters);
            return new Report(storedEvents, stored.size(), counts[0], topics, absent, counts[1], counts[2], counts[3], 0,
                    missingExamples, duplicatedExamples, outOfOrderExamples, unknownExamples, note, deadLettered,
                    deadLetteredExamples, deadLetterTopic, lost);
        }
    }

    /**
     * Reads the dead-letter topic (if it exists) to its end and collects, per stored stream, the
     * versions the bridge dead-lettered; returns the topic's name, or {@code null} if it does not exist.
     */
    private String readDeadLetters(Admin admin, KafkaConsumer<String, byte[]> consumer, Map<String, Long> stored,
                                   Map<String, BitSet> into, Duration readTimeout) throws Exception {
        String topic = config.deadLetterTopic();
        if (!admin.listTopics().names().get(30, java.util.concurrent.TimeUnit.SECONDS).contains(topic)) {
            return null;
        }
        List<TopicPartition> partitions = EventTopics.partitions(consumer, List.of(topic));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        EventTopics.readTo(consumer, consumer.endOffsets(partitions), record -> {
            if (record.headers().lastHeader(DEAD_LETTER_TOPIC_HEADER) == null) {
                return;
            }
            RecordIds ids = RecordIds.of(record);
            if (ids == null) {
                return;
            }
            Long storedVersion = stored.get(ids.streamId());
            if (storedVersion != null && ids.streamVersion() <= storedVersion) {
                into.computeIfAbsent(ids.streamId(), s -> new BitSet()).set(Math.toIntExact(ids.streamVersion()));
            }
        }, readTimeout);
        return topic;
    }

    /**
     * Recorded event topics (cdc_topics) that are gone or have another topic id, each as
     * "topic (deleted)" or "topic (created again)": their events are restored with
     * {@code republish --restore-topic}.
     */
    private List<String> lostTopics(Admin admin, String category) throws Exception {
        Map<String, java.util.UUID> recorded = new java.util.TreeMap<>();
        try (Connection connection = dataSource.getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(SqlResource.load("cdc_topics", config.schema()))) {
            while (rs.next()) {
                recorded.put(rs.getString(1), rs.getObject(2, java.util.UUID.class));
            }
        }
        boolean single = "single".equalsIgnoreCase(config.getString("topic.mode"));
        String only = single ? config.getString("topic.single.name")
                : category == null ? null : dev.eventstore.connect.TopicNames.categoryTopic(config.topicPrefix(), category);
        List<String> lost = new ArrayList<>();
        for (Map.Entry<String, java.util.UUID> topic : recorded.entrySet()) {
            if (only != null ? !topic.getKey().equals(only) : !topic.getKey().startsWith(config.topicPrefix() + ".")) {
                continue;
            }
            try {
                org.apache.kafka.common.Uuid id = admin.describeTopics(Set.of(topic.getKey())).allTopicNames()
                        .get(30, java.util.concurrent.TimeUnit.SECONDS).get(topic.getKey()).topicId();
                if (!new java.util.UUID(id.getMostSignificantBits(), id.getLeastSignificantBits()).equals(topic.getValue())) {
                    lost.add(topic.getKey());
                }
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                    lost.add(topic.getKey());
                } else {
                    throw e;
                }
            }
        }
        return lost;
    }

    private Set<String> existing(Set<String> streams) throws SQLException {
        Set<String> found = new java.util.HashSet<>();
        if (streams.isEmpty()) {
            return found;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(SqlResource.load("existing_streams", config.schema()))) {
            query.setArray(1, connection.createArrayOf("text", streams.toArray()));
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
        }
        return found;
    }

    private static boolean inCategory(String streamId, String category) {
        return category == null || dev.eventstore.connect.TopicNames.category(streamId).equals(category);
    }

    /** Stored events neither in their topic nor (where given) in the dead-letter topic. */
    private static long absent(Map<String, Long> stored, Map<String, StreamRecords> kafka, Map<String, BitSet> deadLetters) {
        long absent = 0;
        for (Map.Entry<String, Long> stream : stored.entrySet()) {
            BitSet present = present(stream.getKey(), stream.getValue(), kafka, deadLetters);
            absent += stream.getValue() - present.cardinality();
        }
        return absent;
    }

    /** Versions 1..version of a stream found in its topic or in the dead-letter topic. */
    private static BitSet present(String stream, long version, Map<String, StreamRecords> kafka,
                                  Map<String, BitSet> deadLetters) {
        StreamRecords records = kafka.get(stream);
        BitSet present = records == null ? new BitSet() : records.seen.get(0, Math.toIntExact(version) + 1);
        BitSet dead = deadLetters.get(stream);
        if (dead != null) {
            present.or(dead.get(0, Math.toIntExact(version) + 1));
        }
        present.clear(0);
        return present;
    }

    private List<String> deadLetteredExamples(Map<String, Long> stored, Map<String, StreamRecords> kafka,
                                              Map<String, BitSet> deadLetters) throws SQLException {
        List<String> examples = new ArrayList<>();
        for (Map.Entry<String, BitSet> dead : deadLetters.entrySet()) {
            StreamRecords records = kafka.get(dead.getKey());
            for (int v = dead.getValue().nextSetBit(1); v >= 0; v = dead.getValue().nextSetBit(v + 1)) {
                if (records == null || !records.seen.get(v)) {
                    examples.add(dead.getKey() + "@" + v + eventId(dead.getKey(), v));
                    if (examples.size() >= EXAMPLES) {
                        return examples;
                    }
                }
            }
        }
        return examples;
    }

    private List<String> missingExamples(Map<String, Long> stored, Map<String, StreamRecords> kafka,
                                         Map<String, BitSet> deadLetters) throws SQLException {
        List<String> examples = new ArrayList<>();
        for (Map.Entry<String, Long> stream : stored.entrySet()) {
            int next = present(stream.getKey(), stream.getValue(), kafka, deadLetters).nextClearBit(1);
            if (next <= stream.getValue()) {
                examples.add(stream.getKey() + "@" + next + eventId(stream.getKey(), next));
                if (examples.size() >= EXAMPLES) {
                    break;
                }
            }
        }
        return examples;
    }

    private String eventId(String streamId, long version) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(SqlResource.load("select_event_id", config.schema()))) {
            query.setString(1, streamId);
            query.setLong(2, version);
            try (ResultSet rs = query.executeQuery()) {
                return rs.next() ? " (event " + rs.getLong(1) + ")" : "";
            }
        }
    }

    /** Reads every stream's version in one snapshot; returns the WAL position of that snapshot. */
    private String readStoredStreams(String category, Map<String, Long> into) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            String lsn;
            try (Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery(SqlResource.load("select_current_wal_lsn"))) {
                rs.next();
                lsn = rs.getString(1);
            }
            try (PreparedStatement streams = connection.prepareStatement(SqlResource.load("select_stream_versions", config.schema()))) {
                streams.setFetchSize(10_000);
                if (category == null) {
                    streams.setNull(1, Types.VARCHAR);
                    streams.setNull(2, Types.VARCHAR);
                } else {
                    streams.setString(1, category);
                    streams.setString(2, category);
                }
                try (ResultSet rs = streams.executeQuery()) {
                    while (rs.next()) {
                        into.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            connection.commit();
            return lsn;
        }
    }

    private enum SlotProgress { CONFIRMED, BEHIND, INACTIVE, NO_SLOT }

    /** Waits (bounded) while a bridge streams from the slot until it has confirmed {@code lsn}. */
    private SlotProgress awaitSlot(String slotName, String lsn, Duration wait) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(SqlResource.load("slot_confirmed_past"))) {
            query.setString(1, lsn);
            query.setString(2, slotName);
            while (true) {
                try (ResultSet rs = query.executeQuery()) {
                    if (!rs.next()) {
                        return SlotProgress.NO_SLOT;
                    }
                    if (rs.getBoolean("confirmed")) {
                        return SlotProgress.CONFIRMED;
                    }
                    if (!rs.getBoolean("active")) {
                        return SlotProgress.INACTIVE;
                    }
                }
                if (System.nanoTime() > deadline) {
                    return SlotProgress.BEHIND;
                }
                Thread.sleep(200); // polling the slot's confirmed position, bounded by the deadline
            }
        }
    }

    private static void example(List<String> examples, String text) {
        if (examples.size() < EXAMPLES) {
            examples.add(text);
        }
    }

    /** The ids of an event record: from the CloudEvents headers, or the value in structured mode. */
    record RecordIds(String streamId, long streamVersion, String eventId) {

        /**
         * The ids of an event record, or {@code null} for a record that is not one: no stream id
         * (a null key), a header without a value, no stream version of 1 or more, or a value that
         * is not a structured event.
         */
        static RecordIds of(ConsumerRecord<String, byte[]> record) {
            Header version = record.headers().lastHeader(EventRecordHeaders.STREAM_VERSION);
            Header id = record.headers().lastHeader(EventRecordHeaders.ID);
            if (version != null) {
                if (record.key() == null || version.value() == null) {
                    return null;
                }
                for (Header header : record.headers()) {
                    if (header.value() == null && header.key().startsWith("ce_")) {
                        return null;
                    }
                }
                long streamVersion = parse(new String(version.value(), StandardCharsets.UTF_8));
                return streamVersion < 1 ? null : new RecordIds(record.key(), streamVersion,
                        id == null ? "?" : new String(id.value(), StandardCharsets.UTF_8));
            }
            if (record.value() == null) {
                return null;
            }
            try {
                JsonNode event = JSON.readTree(record.value());
                String subject = event.path("subject").isTextual() ? event.path("subject").asText() : record.key();
                long streamVersion = parse(event.path("streamversion").asText());
                return subject == null || streamVersion < 1 ? null
                        : new RecordIds(subject, streamVersion, event.path("id").asText("?"));
            } catch (Exception e) {
                return null;
            }
        }

        private static long parse(String text) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        String describe() {
            return streamId + "@" + streamVersion + " (event " + eventId + ")";
        }
    }
}
