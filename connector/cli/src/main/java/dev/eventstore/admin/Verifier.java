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
 * acknowledged; its heartbeat moves the slot on when no events come), then reads Kafka again.
 * What is still absent then is missing; if the slot does not get there in time, the absent
 * events are reported as not yet published instead. With no bridge streaming (slot inactive or
 * gone), absent events are missing: nothing is on its way.
 */
public final class Verifier {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EXAMPLES = 5;

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
                         List<String> outOfOrderExamples, List<String> unknownExamples, String note) {

        /** Missing or out-of-order records: the failures that make verify exit non-zero. */
        public boolean failed() {
            return missing > 0 || outOfOrder > 0;
        }
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
        long[] counts = new long[4]; // records, duplicated, out of order, unknown
        List<String> duplicatedExamples = new ArrayList<>();
        List<String> outOfOrderExamples = new ArrayList<>();
        List<String> unknownExamples = new ArrayList<>();
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
                Long storedVersion = stored.get(ids.streamId());
                if (storedVersion == null || ids.streamVersion() < 1 || ids.streamVersion() > storedVersion) {
                    // Not stored (or not yet, in this snapshot): unknown unless it is a newer event.
                    if (storedVersion == null && !inCategory(ids.streamId(), category)) {
                        return;
                    }
                    if (storedVersion != null && ids.streamVersion() > storedVersion) {
                        return; // appended after the snapshot; not this run's business
                    }
                    counts[3]++;
                    example(unknownExamples, ids.describe());
                    return;
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

            long absent = absent(stored, kafka);
            String note = null;
            if (absent > 0) {
                SlotProgress progress = awaitSlot(slotName, snapshotLsn, wait);
                // Whatever the bridge published meanwhile: read on to the new end.
                EventTopics.readTo(consumer, consumer.endOffsets(partitions), check, readTimeout);
                absent = absent(stored, kafka);
                if (progress == SlotProgress.NO_SLOT) {
                    note = "replication slot " + slotName + " not found: absent events are counted as missing";
                } else if (progress == SlotProgress.INACTIVE) {
                    note = "replication slot " + slotName + " is inactive (no bridge running): absent events are"
                            + " counted as missing";
                } else if (progress == SlotProgress.BEHIND && absent > 0) {
                    note = "the bridge's slot " + slotName + " had not confirmed WAL position " + snapshotLsn + " after "
                            + wait.toSeconds() + " s: absent events may only be not yet published";
                    return report(storedEvents, stored, counts, topics, 0, absent, List.of(), duplicatedExamples,
                            outOfOrderExamples, unknownExamples, note);
                }
            }
            List<String> missingExamples = missingExamples(stored, kafka);
            return report(storedEvents, stored, counts, topics, absent, 0, missingExamples, duplicatedExamples,
                    outOfOrderExamples, unknownExamples, note);
        }
    }

    private static Report report(long storedEvents, Map<String, Long> stored, long[] counts, Set<String> topics,
                                 long missing, long pending, List<String> missingExamples, List<String> duplicated,
                                 List<String> outOfOrder, List<String> unknown, String note) {
        return new Report(storedEvents, stored.size(), counts[0], topics, missing, counts[1], counts[2], counts[3], pending,
                missingExamples, duplicated, outOfOrder, unknown, note);
    }

    private static boolean inCategory(String streamId, String category) {
        return category == null || dev.eventstore.connect.TopicNames.category(streamId).equals(category);
    }

    private static long absent(Map<String, Long> stored, Map<String, StreamRecords> kafka) {
        long absent = 0;
        for (Map.Entry<String, Long> stream : stored.entrySet()) {
            StreamRecords records = kafka.get(stream.getKey());
            long seen = records == null ? 0 : records.seen.get(1, Math.toIntExact(stream.getValue()) + 1).cardinality();
            absent += stream.getValue() - seen;
        }
        return absent;
    }

    private List<String> missingExamples(Map<String, Long> stored, Map<String, StreamRecords> kafka) throws SQLException {
        List<String> examples = new ArrayList<>();
        for (Map.Entry<String, Long> stream : stored.entrySet()) {
            StreamRecords records = kafka.get(stream.getKey());
            int next = records == null ? 1 : records.seen.nextClearBit(1);
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

        static RecordIds of(ConsumerRecord<String, byte[]> record) {
            Header version = record.headers().lastHeader(EventRecordHeaders.STREAM_VERSION);
            Header id = record.headers().lastHeader(EventRecordHeaders.ID);
            if (version != null) {
                return new RecordIds(record.key(), parse(new String(version.value(), StandardCharsets.UTF_8)),
                        id == null ? "?" : new String(id.value(), StandardCharsets.UTF_8));
            }
            try {
                JsonNode event = JSON.readTree(record.value());
                return new RecordIds(event.path("subject").asText(record.key()), parse(event.path("streamversion").asText()),
                        event.path("id").asText("?"));
            } catch (Exception e) {
                return new RecordIds(record.key() == null ? "?" : record.key(), -1, "?");
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
