package dev.eventstore.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.PartitionPosition;
import dev.eventstore.RecordedEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The handler's writes and the checkpoint commit together: a subscriber process that dies at the
 * worst moments, then a restart, applies every event exactly once to the read model.
 */
class SubscriberCrashIT {

    private static final int CRASH_AT = 25;

    @ParameterizedTest(name = "crash {0}")
    @ValueSource(strings = {"in-handler", "after-commit"})
    void aCrashThenARestartAppliesEachEventExactlyOnce(String mode) throws Exception {
        ConsumerTestSupport support = new ConsumerTestSupport();
        String topic = support.createTopic("game", 3);
        String group = support.group("crash");
        String member = "member-" + support.id;
        List<RecordedEvent> events = support.appendGames(0, 6);
        ConsumerTestSupport.publish(events, topic);
        assertThat(events).hasSizeGreaterThan(CRASH_AT * 2);

        Path log = Path.of("target", "subscriber-child-" + mode + ".log");
        Process child = SubscriberChild.start(log, support.database.settings().url(), support.database.settings().user(),
                ConsumerTestSupport.SCHEMA, dev.eventstore.testing.TestKafka.bootstrapServers(), topic, group, member,
                mode, Integer.toString(CRASH_AT));
        boolean exited = child.waitFor(90, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly();
        }
        assertThat(exited).as("the child crashed within 90 s; its log: %s", log.toAbsolutePath()).isTrue();
        assertThat(child.exitValue()).as("the child's exit (log: %s)", Files.readString(log)).isEqualTo(SubscriberChild.CRASH_EXIT);

        // What the crash left: the in-handler crash rolled its event back; after-commit kept it.
        long appliedBeforeRestart = ReadModel.appliedCount(support.database);
        assertThat(appliedBeforeRestart).isEqualTo(mode.equals("in-handler") ? CRASH_AT - 1 : CRASH_AT);
        List<PartitionPosition> recorded = support.store().subscriptions().partitionPositions(group);
        assertThat(recorded.stream().mapToLong(PartitionPosition::streams).sum())
                .as("one position per stream touched").isPositive();
        // Kafka's committed offsets lag PostgreSQL's positions: a restart that trusted Kafka would see
        // events again (and the duplicate check would have to catch them).
        Map<TopicPartition, OffsetAndMetadata> kafka = ConsumerTestSupport.committedOffsets(group);
        assertThat(recorded).anySatisfy(p -> {
            OffsetAndMetadata committed = kafka.get(new TopicPartition(p.topic(), p.partition()));
            assertThat(committed == null ? 0 : committed.offset()).isLessThan(p.nextOffset());
        });

        // Restart as the same static member (it takes over the dead one's partitions at once).
        Map<String, Object> config = ConsumerTestSupport.subscriberConfig(group, topic);
        config.put("kafka.group.instance.id", member);
        try (CheckpointingSubscriber restarted = support.subscriber(config, new ReadModel("restarted")).start()) {
            // Counted once its transaction has committed: wait on the count as well as on the rows.
            long toProcess = events.size() - appliedBeforeRestart;
            ConsumerTestSupport.await("every event applied after the restart", Duration.ofSeconds(60),
                    () -> (ReadModel.appliedCount(support.database) >= events.size() && restarted.processedCount() >= toProcess)
                            || restarted.failure().isPresent());
            assertThat(restarted.failure()).isEmpty();
            assertThat(restarted.processedCount()).isEqualTo(toProcess);
            assertThat(restarted.duplicateCount()).as("resumed at PostgreSQL's positions: nothing seen twice").isZero();
        }

        ReadModel.assertEachEventAppliedOnce(support.database, events);
        for (RecordedEvent last : lastOfEachStream(events)) {
            assertThat(support.store().subscriptions().position(group, last.streamId()).orElseThrow().lastSeenStreamVersion())
                    .isEqualTo(last.streamVersion());
        }
    }

    /** Also subscribes by topic pattern. */
    @Test
    void aDuplicatePublishedByTheBridgeIsSkippedByStreamVersion() {
        ConsumerTestSupport support = new ConsumerTestSupport();
        String topic = support.createTopic("game", 1);
        String group = support.group("dup");
        List<RecordedEvent> events = support.appendGames(0, 1);
        ConsumerTestSupport.publish(events, topic);
        // The bridge crashed after Kafka acknowledged the second half but before it saved its position:
        // it publishes them again (at least once).
        ConsumerTestSupport.publish(events.subList(events.size() / 2, events.size()), topic);

        Map<String, Object> config = ConsumerTestSupport.subscriberConfig(group, topic);
        config.remove(CheckpointingSubscriberConfig.Key.TOPICS);
        config.put(CheckpointingSubscriberConfig.Key.TOPIC_PATTERN, java.util.regex.Pattern.quote(topic) + "|it\\.none\\..*");
        try (CheckpointingSubscriber subscriber = support.subscriber(config, new ReadModel("one")).start()) {
            int republished = events.size() - events.size() / 2;
            ConsumerTestSupport.await("every record seen", Duration.ofSeconds(90),
                    () -> subscriber.processedCount() + subscriber.duplicateCount() >= events.size() + republished);
            assertThat(subscriber.processedCount()).isEqualTo(events.size());
            assertThat(subscriber.duplicateCount()).isEqualTo(republished);
        }
        ReadModel.assertEachEventAppliedOnce(support.database, events);
    }

    private static List<RecordedEvent> lastOfEachStream(List<RecordedEvent> events) {
        return events.stream().collect(java.util.stream.Collectors.toMap(RecordedEvent::streamId, e -> e,
                (a, b) -> a.streamVersion() > b.streamVersion() ? a : b)).values().stream().toList();
    }
}
