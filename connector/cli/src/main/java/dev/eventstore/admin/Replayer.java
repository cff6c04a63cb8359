package dev.eventstore.admin;

import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.BridgeException;
import dev.eventstore.bridge.KafkaClients;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Moves a consumer group's committed offsets on the event topics, so that its consumers replay
 * from there: to the positions recorded in PostgreSQL, to a time, or to either end. Refused
 * while the group has active members (Kafka would refuse too, less clearly).
 */
public final class Replayer {

    /** Where to move the group. */
    public enum Target { SUBSCRIPTIONS, TIME, EARLIEST, LATEST, OFFSETS }

    /**
     * An explicit offset asked for a partition ({@code --to-offset}) that the partition cannot
     * take: not an event topic, no such partition, or outside the records the partition holds.
     */
    public static final class BadOffsetException extends BridgeException {
        BadOffsetException(String message) {
            super(message);
        }
    }

    /** One partition of the plan. {@code current} is {@code null} where the group never committed. */
    public record Move(TopicPartition partition, Long current, long target) {
        /** Events the group will see again (moving back), or 0. */
        public long replayed() {
            return current == null ? 0 : Math.max(0, current - target);
        }
    }

    /**
     * @param notes partitions planned from the beginning because the recorded position was read
     *     from an earlier incarnation of the topic (deleted, then restored)
     */
    public record Plan(String group, Target target, List<Move> moves, List<String> notes) {
        public long replayed() {
            return moves.stream().mapToLong(Move::replayed).sum();
        }
    }

    private final BridgeConfig config;

    public Replayer(BridgeConfig config) {
        this.config = config;
    }

    /** Times before this are refused: no Kafka record can be that old, so the time is a mistake. */
    public static final Instant OLDEST_TIME = Instant.parse("1900-01-01T00:00:00Z");

    /**
     * Refuses a time replay cannot use, in one line: in the future, or before 1900. Kafka looks
     * up times as epoch milliseconds, where negative numbers are reserved (-1 is the end); record
     * times start in 1970, so a time between 1900 and 1970 replays everything (from the beginning).
     */
    public static void checkTime(Instant time) {
        if (time.isAfter(Instant.now())) {
            throw new BridgeException("time " + time + " is in the future: there is nothing to replay from it");
        }
        if (time.isBefore(OLDEST_TIME)) {
            throw new BridgeException("time " + time + " is before 1900: no Kafka record is that old (record times start"
                    + " in 1970); use --to-earliest to replay everything");
        }
    }

    /**
     * Works out where each partition goes; {@code time} only for {@link Target#TIME}. To the
     * subscriptions: the recorded position, or the beginning where none is recorded or the
     * recorded one was read from an earlier incarnation of the topic (recorded before
     * {@code republish --restore-topic}, or past the partition's end): the group never moves
     * forward past records it has not read.
     */
    public Plan plan(String group, Target target, Instant time, String category) throws Exception {
        return plan(group, target, time, category, Map.of());
    }

    /**
     * As {@link #plan(String, Target, Instant, String)}; for {@link Target#OFFSETS}, {@code offsets}
     * names each partition to move and its new offset, and only those partitions move. Each must
     * be a partition of an event topic (of {@code category}'s, if given), and its offset between
     * the partition's first record still held and its end, both included.
     */
    public Plan plan(String group, Target target, Instant time, String category, Map<TopicPartition, Long> offsets)
            throws Exception {
        if (target == Target.TIME) {
            checkTime(time);
        }
        try (Admin admin = KafkaClients.admin(config, config.name() + "-replay")) {
            ConsumerGroups groups = new ConsumerGroups(admin, config);
            ConsumerGroupDescription description = groups.describe(group);
            if (description != null && !description.members().isEmpty()) {
                throw new BridgeException("group " + group + " has " + description.members().size()
                        + " active member(s): stop its consumers before moving its offsets");
            }
            Set<String> topics = EventTopics.list(admin, config, category);
            List<TopicPartition> partitions = groups.partitions(topics);
            Map<TopicPartition, Long> committed = groups.committed(group, partitions);
            Map<TopicPartition, Long> ends = groups.offsets(partitions, OffsetSpec.latest());
            Map<TopicPartition, Long> current = groups.recorded(group);
            Map<TopicPartition, Long> recorded = ConsumerGroups.withinEnds(current, ends);
            Map<TopicPartition, Long> any = groups.recorded(group, true);
            List<String> notes = new ArrayList<>();
            if (target == Target.SUBSCRIPTIONS) {
                for (TopicPartition p : partitions) {
                    if (!recorded.containsKey(p) && any.containsKey(p)) {
                        notes.add(p + ": the recorded position " + any.get(p) + " was read from an earlier incarnation"
                                + " of the topic (deleted" + (current.containsKey(p) ? ", its end is now " + ends.get(p)
                                : " and restored") + "): planned from the beginning");
                    }
                }
            }
            if (committed.isEmpty() && any.isEmpty() && description == null) {
                throw new BridgeException("unknown group " + group + ": it has no committed offsets on the event topics"
                        + " and no positions in the subscriptions table");
            }
            if (target == Target.OFFSETS) {
                return new Plan(group, target, explicitMoves(groups, topics, partitions, committed, ends, offsets), notes);
            }
            Map<TopicPartition, Long> targets = switch (target) {
                case OFFSETS -> throw new IllegalStateException("planned above");
                case EARLIEST -> groups.offsets(partitions, OffsetSpec.earliest());
                case LATEST -> ends;
                case TIME -> atTime(groups, partitions, time);
                case SUBSCRIPTIONS -> {
                    // Partitions where the group recorded nothing start from the beginning.
                    Map<TopicPartition, Long> positions = new HashMap<>(groups.offsets(partitions, OffsetSpec.earliest()));
                    recorded.forEach((partition, offset) -> {
                        if (positions.containsKey(partition)) {
                            positions.put(partition, offset);
                        }
                    });
                    yield positions;
                }
            };
            List<Move> moves = new ArrayList<>();
            for (TopicPartition partition : partitions) {
                moves.add(new Move(partition, committed.get(partition), targets.get(partition)));
            }
            return new Plan(group, target, moves, notes);
        }
    }

    private static List<Move> explicitMoves(ConsumerGroups groups, Set<String> topics, List<TopicPartition> partitions,
            Map<TopicPartition, Long> committed, Map<TopicPartition, Long> ends, Map<TopicPartition, Long> offsets)
            throws Exception {
        for (TopicPartition asked : offsets.keySet()) {
            if (!topics.contains(asked.topic())) {
                throw new BadOffsetException("--to-offset " + name(asked) + ": " + asked.topic() + " is not an event topic"
                        + (topics.isEmpty() ? "" : " here (" + String.join(", ", new java.util.TreeSet<>(topics)) + ")"));
            }
            if (!partitions.contains(asked)) {
                long count = partitions.stream().filter(p -> p.topic().equals(asked.topic())).count();
                throw new BadOffsetException("--to-offset " + name(asked) + ": topic " + asked.topic() + " has no partition "
                        + asked.partition() + " (it has " + count + ", numbered from 0)");
            }
        }
        Map<TopicPartition, Long> starts = groups.offsets(List.copyOf(offsets.keySet()), OffsetSpec.earliest());
        List<Move> moves = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            Long offset = offsets.get(partition);
            if (offset == null) {
                continue;
            }
            long start = starts.get(partition);
            long end = ends.get(partition);
            if (offset < start || offset > end) {
                throw new BadOffsetException("--to-offset " + name(partition) + "=" + offset + ": outside the partition's records,"
                        + " offsets " + start + " to " + end + " (its end)");
            }
            moves.add(new Move(partition, committed.get(partition), offset));
        }
        return moves;
    }

    /** TOPIC:PARTITION, as {@code --to-offset} names a partition. */
    public static String name(TopicPartition partition) {
        return partition.topic() + ":" + partition.partition();
    }

    private static Map<TopicPartition, Long> atTime(ConsumerGroups groups, List<TopicPartition> partitions, Instant time)
            throws Exception {
        if (time.isBefore(Instant.EPOCH)) {
            return groups.offsets(partitions, OffsetSpec.earliest()); // before every record
        }
        Map<TopicPartition, Long> offsets = new HashMap<>(groups.offsets(partitions, OffsetSpec.forTimestamp(time.toEpochMilli())));
        // No record at or after the time in a partition: its end, where the next record will be.
        Map<TopicPartition, Long> ends = groups.offsets(partitions, OffsetSpec.latest());
        offsets.replaceAll((partition, offset) -> offset < 0 ? ends.get(partition) : offset);
        return offsets;
    }

    /** Commits the plan's offsets for the group. */
    public void apply(Plan plan) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        plan.moves().forEach(move -> offsets.put(move.partition(), new OffsetAndMetadata(move.target(),
                "eventstore replay --to-" + (plan.target() == Target.OFFSETS ? "offset" : plan.target().name().toLowerCase()))));
        try (Admin admin = KafkaClients.admin(config, config.name() + "-replay")) {
            admin.alterConsumerGroupOffsets(plan.group(), offsets).all().get(ConsumerGroups.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }
}
